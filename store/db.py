"""Engines, sessions and migrations. Every entry point calls `connect`, which migrates on first use."""
from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from careloop.logs import redact

from .locks import migration_lock

MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseError(RuntimeError):
    """The database URL is unusable, or the schema is newer than this careloop."""


BUSY_TIMEOUT_MS = 10_000  # a command or flow waits this long for another writer's lock (the inbox far less)
CONNECT_TIMEOUT_S = 10  # an unreachable PostgreSQL fails after this, not after the operating system's minutes


def _sqlite_pragmas(busy_timeout_ms: int):
    def apply(dbapi_connection, _record) -> None:
        # WAL lets the inbox read while a flow writes; busy_timeout waits instead of failing on a lock.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
    return apply


def database_problem(error: BaseException, url: str) -> str | None:
    """One line for an operator when `error` is the database being locked or out of reach; None for other errors."""
    from sqlalchemy.exc import OperationalError

    if not isinstance(error, OperationalError):
        return None
    shown = make_url(url).render_as_string(hide_password=True)
    detail = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
    if "locked" in detail:
        return (f"database {shown} is locked by another writer (waited {BUSY_TIMEOUT_MS // 1000} s): let the other "
                f"careloop run finish or stop it, then run this again")
    return f"cannot use database {shown} ({redact(detail)}): check that it is running and reachable, and the URL"


def _create_private(path: Path) -> None:
    """The database file 0600 in a data directory 0700 when careloop creates them: the file holds customers' words
    and the inbox's password hashes (SQLite gives its -wal and -shm files the database file's mode)."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # an empty file is an empty database
    except FileExistsError:
        pass


_made: list[str] = []


def engines_made() -> list[str]:
    """The URLs this process made engines for, newest first: an error report names the database."""
    return list(reversed(_made))


def make_engine(url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise DatabaseError(f"database URL {redact(url)!r} is not a valid SQLAlchemy URL: {redact(str(exc))}") from None
    if url not in _made:
        _made.append(url)
    # The inbox does its database work on the event loop: a checkout waiting there for a free connection would
    # stall the very requests that give connections back. So the pool grows instead of waiting; connections
    # beyond pool_size are closed when returned.
    pool = {"pool_size": 10, "max_overflow": -1}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _create_private(Path(parsed.database).expanduser())
        else:
            pool = {}  # in-memory databases use a one-connection pool
        engine = create_engine(parsed, connect_args={"timeout": busy_timeout_ms / 1000}, **pool)
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        return engine
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}, **pool)


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> str | None:
    """Migrate the database to the newest schema; returns the revision it is at. Safe when several processes
    start on the same (empty) database at once: the check and the upgrade happen under one migration lock."""
    config = alembic_config(engine)
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    if current_revision(engine) == head:  # the usual case: no lock needed to see there is nothing to do
        return head
    with migration_lock(engine):
        revision = current_revision(engine)
        if revision == head:  # another process migrated while we waited
            return head
        if revision is not None and revision not in {known.revision for known in script.walk_revisions()}:
            raise DatabaseError(
                f"database {engine.url.render_as_string(hide_password=True)} is at schema revision "
                f"{revision}, which this careloop does not know: upgrade careloop"
            )
        command.upgrade(config, "head")
    return head


@lru_cache(maxsize=8)
def connect(url: str) -> Engine:
    """An engine for `url`, migrated to the newest schema (once per process and URL)."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
