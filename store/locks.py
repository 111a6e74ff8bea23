"""Locks that serialise the few steps several workers must not do at once.

- `migration_lock(engine)`: schema upgrades. Two processes starting on an empty database both saw "no schema" and
  both created it (`alembic_version … already exists`). PostgreSQL: a session advisory lock; SQLite: an exclusive
  `flock` on a file beside the database (never a file SQLite itself opens: closing another descriptor of the
  database file would drop SQLite's own POSIX locks).
- `hold(session, name)`: a named lock until the session's transaction ends (row lock of `store_locks` on
  PostgreSQL, the write lock on SQLite). Reads after it see everything committed before it was granted.
"""
from __future__ import annotations

import fcntl
import os
import socket
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import StoreLock, utcnow

# pg_advisory_lock key for migrations: any constant unlikely to collide with another application's keys.
MIGRATION_LOCK_KEY = 0x636C6D67  # "clmg"


def worker_name() -> str:
    """Who holds a claim or lock: host and process, enough to find it in `ps` or the Prefect worker list."""
    return f"{socket.gethostname()}:{os.getpid()}"


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield  # one process owns an in-memory database
        return
    path = Path(database).expanduser().resolve()
    descriptor = os.open(f"{path}.migrate-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the flock


def hold(session: Session, name: str) -> None:
    """Take lock `name` for the rest of the session's transaction. Call it first in the transaction."""
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[session.get_bind().dialect.name]
    values = {"name": name, "held_by": worker_name(), "held_at": utcnow()}
    statement = insert(StoreLock).values(values)
    session.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"held_by": values["held_by"],
                                                                                   "held_at": values["held_at"]}))
