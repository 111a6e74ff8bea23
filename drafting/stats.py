"""`careloop stats --json` → drafts_by_status: every status always present, so dashboards can rely on the keys."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import DRAFT_STATUSES, Draft


def drafts_by_status(session: Session) -> dict:
    counts = dict(session.execute(select(Draft.status, func.count()).group_by(Draft.status)).all())
    return {"drafts_by_status": {status: int(counts.get(status, 0)) for status in DRAFT_STATUSES}}
