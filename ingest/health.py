"""How the sources are doing over time: which are stale, and keeping the run log to a useful size."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from careloop.config import Config
from careloop.durations import format_duration
from store.models import Run, Source, utcnow


def stale_sources(session: Session, config: Config, now: datetime | None = None) -> list[dict]:
    """Enabled sources with no successful run for longer than their stale age (`stale_after`, default 3 × the
    schedule's interval), counted from the last success or, for a source that never succeeded, from its first
    run. A source that never ran is not stale: there is nothing to compare with yet."""
    now = now or utcnow()
    rows = {row.name: row for row in session.scalars(select(Source))}
    first_runs = dict(session.execute(select(Run.source_name, func.min(Run.started_at)).group_by(Run.source_name)).all())
    stale = []
    for source in config.sources:
        row = rows.get(source.name)
        since = (row.last_success_at if row else None) or first_runs.get(source.name)
        if not source.enabled or since is None or now - since <= source.stale_age:
            continue
        stale.append({
            "name": source.name, "type": source.type,
            "last_success_at": row.last_success_at.isoformat() if row and row.last_success_at else None,
            "last_error": row.last_error if row else None,
            "stale_after": format_duration(source.stale_age), "silent_for": format_duration(now - since),
        })
    return stale


def prune_runs(session: Session, keep_days: int, now: datetime | None = None) -> int:
    """Delete finished run-log rows older than `keep_days` (a source on a 15-minute schedule adds ~2,900 a
    month). Returns how many went."""
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    return session.execute(delete(Run).where(Run.finished_at.is_not(None), Run.finished_at < cutoff)).rowcount

