"""Tables that let several workers share one database: claimed work and named locks.

Any number of Prefect workers (or CLI runs) may run the same stage at once. They share the work by claiming it
row by row in `work_claims` (one mechanism on SQLite and PostgreSQL, tested on both), and serialise the few
steps that must see everything at once (the duplicate-linking pass) on a row of `store_locks`.
"""
from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class WorkClaim(Base):
    """Item `item_id` of `stage` (e.g. mention 42 for "score") is being worked on by `claimed_by` since
    `claimed_at`. Rows are deleted when the work is stored; a claim older than the stage's lease belongs to a
    worker that died and may be taken over."""

    __tablename__ = "work_claims"

    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claimed_by: Mapped[str] = mapped_column(String(100))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StoreLock(Base):
    """A named lock held until the end of a transaction: upserting the row takes its row lock on PostgreSQL and
    the database's write lock on SQLite, so a second holder waits."""

    __tablename__ = "store_locks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    held_by: Mapped[str | None] = mapped_column(String(100))
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
