"""The listening keys of `careloop stats --json`: what is stored, per source type, language and brand, and each
source's last run."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Mention, RejectedItem, Source


def listening_stats(session: Session) -> dict:
    distinct = Mention.duplicate_of_id.is_(None)

    def counts(column) -> dict:
        rows = session.execute(select(column, func.count()).where(distinct).group_by(column).order_by(column))
        return {str(key) if key is not None else "unknown": count for key, count in rows}

    sources = session.scalars(select(Source).order_by(Source.name))
    per_source = dict(session.execute(select(Mention.source_id, func.count()).where(distinct).group_by(Mention.source_id)).all())
    return {
        "mentions": session.scalar(select(func.count()).select_from(Mention).where(distinct)),
        "duplicates_linked": session.scalar(select(func.count()).select_from(Mention).where(Mention.duplicate_of_id.is_not(None))),
        "by_source_type": counts(Mention.source_type),
        "by_language": counts(Mention.language),
        "by_brand": counts(Mention.brand),
        "rated": session.scalar(select(func.count()).select_from(Mention).where(distinct, Mention.rating.is_not(None))),
        "rejected_items": session.scalar(select(func.count()).select_from(RejectedItem)),
        "sources": [
            {
                "name": source.name, "type": source.type,
                "last_run_at": source.last_run_at.isoformat() if source.last_run_at else None,
                "last_status": source.last_status,
                "mentions": per_source.get(source.id, 0),
            }
            for source in sources
        ],
    }
