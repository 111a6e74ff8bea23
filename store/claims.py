"""Work claims: how N workers running the same stage share its work instead of racing for it.

A worker picks up to `limit` candidate ids nobody holds, inserts a claim row for each (the primary key decides
who wins a row two workers picked at once), commits, works on the ids it got, stores the results and releases
its claims in the same transaction. A claim older than the lease is a dead worker's and is taken over.
The same rows on SQLite and PostgreSQL; on PostgreSQL `FOR UPDATE SKIP LOCKED` would hold row locks for the
whole (seconds-long) model pass instead.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, and_, delete, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .locks import worker_name
from .models import WorkClaim, utcnow


def unclaimed(stage: str, id_column, lease: timedelta):
    """A WHERE clause: no live claim of `stage` on the row whose id is `id_column`."""
    return ~exists().where(and_(WorkClaim.stage == stage, WorkClaim.item_id == id_column,
                                WorkClaim.claimed_at > utcnow() - lease))


def claim(session: Session, stage: str, candidates: Select, lease: timedelta, worker: str | None = None) -> list[int]:
    """Claim the ids `candidates` selects (one id column; filter it with `unclaimed` and limit it). Commits.
    Returns the ids this worker now holds, ascending; empty when there is nothing left to do."""
    ids = list(session.scalars(candidates))
    if not ids:
        return []
    worker = worker or worker_name()
    now = utcnow()
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[session.get_bind().dialect.name]
    statement = insert(WorkClaim).values([{"stage": stage, "item_id": item_id, "claimed_by": worker, "claimed_at": now}
                                          for item_id in ids])
    # A live claim stays its holder's; an expired one (its worker died) is taken over.
    statement = statement.on_conflict_do_update(
        index_elements=["stage", "item_id"], set_={"claimed_by": worker, "claimed_at": now},
        where=WorkClaim.claimed_at <= now - lease,
    ).returning(WorkClaim.item_id)
    won = sorted(session.scalars(statement))
    session.commit()
    return won


def release(session: Session, stage: str, ids: list[int]) -> None:
    """Drop the claims on `ids` (in the caller's transaction, with the results they protected)."""
    for start in range(0, len(ids), 500):
        session.execute(delete(WorkClaim).where(WorkClaim.stage == stage, WorkClaim.item_id.in_(ids[start:start + 500])))
