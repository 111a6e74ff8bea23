"""A locked SQLite database (another writer holds it) neither freezes an inbox worker nor half-writes a decision:
other requests keep being answered, the write retries without blocking, then 503 with Retry-After; a lock that
ends in time lets the decision through. The CLI says so in one line; so for an unreachable PostgreSQL."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from careloop.webapp import create_app
from store.db import session_scope
from store.models import Draft, OutboxMessage
from tests.conftest import REPO

from .conftest import LiveServer, csrf_of, login, seed


@pytest.fixture
def locked_inbox(sqlite_engine):
    """(server url, seeded, hold): hold(seconds) takes SQLite's write lock from another connection for that long."""
    seeded = seed(sqlite_engine)
    server = LiveServer(create_app(sqlite_engine, session_secret="lock-test-" + "l" * 32))
    path = sqlite_engine.url.database

    def hold(seconds: float) -> threading.Event:
        taken = threading.Event()

        def writer():
            connection = sqlite3.connect(path, isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")  # the write lock; WAL readers still read
            taken.set()
            time.sleep(seconds)
            connection.execute("ROLLBACK")
            connection.close()

        threading.Thread(target=writer, daemon=True).start()
        taken.wait(5)
        return taken

    yield server.url, seeded, hold
    server.close()


def _outbox(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.draft_id.is_not(None),
                                                                                   OutboxMessage.key != "reply:8"))


def test_a_locked_write_answers_503_and_the_worker_keeps_serving(locked_inbox, sqlite_engine):
    url, seeded, hold = locked_inbox
    with httpx.Client(base_url=url, timeout=30) as agent, httpx.Client(base_url=url, timeout=30) as other:
        login(agent, "alice")
        login(other, "mark")
        token = csrf_of(agent.get("/").text)
        before = _outbox(sqlite_engine)
        hold(10)  # longer than the inbox waits (5 s)
        with ThreadPoolExecutor(1) as pool:
            started = time.monotonic()
            approving = pool.submit(agent.post, f"/drafts/{seeded.drafts['restart']}/approve", data={"csrf_token": token})
            time.sleep(0.3)
            quick = []
            for _ in range(5):  # meanwhile the same worker answers static files and pages at once
                moment = time.monotonic()
                assert other.get("/static/inbox.css").status_code == 200
                assert other.get("/reports").status_code == 200
                quick.append(time.monotonic() - moment)
            answer = approving.result()
            waited = time.monotonic() - started
    assert max(quick) < 2.5, quick  # was 9.5 s for a static file (generous: the test machine is shared)
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5" and 4.5 < waited < 9.5, waited
    assert "nothing was changed" in answer.text and answer.headers["x-frame-options"] == "DENY"
    with session_scope(sqlite_engine) as session:
        assert session.get(Draft, seeded.drafts["restart"]).status == "pending"
    assert _outbox(sqlite_engine) == before


def test_a_lock_released_within_the_patience_lets_the_decision_through(locked_inbox, sqlite_engine):
    url, seeded, hold = locked_inbox
    with httpx.Client(base_url=url, timeout=30) as agent:
        login(agent, "alice")
        token = csrf_of(agent.get("/").text)
        hold(1.5)
        answer = agent.post(f"/drafts/{seeded.drafts['restart']}/approve", data={"csrf_token": token})
    assert answer.status_code == 303
    with session_scope(sqlite_engine) as session:
        assert session.get(Draft, seeded.drafts["restart"]).status == "approved"


def _careloop(args: list[str], env: dict, stdin: str | None = None) -> subprocess.CompletedProcess:
    from tests.test_cli import CARELOOP

    return subprocess.run([CARELOOP, *args], cwd=REPO, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=120, input=stdin)


def test_the_cli_says_in_one_line_that_the_database_is_locked_or_unreachable(tmp_path):
    config = tmp_path / "careloop.yaml"
    config.write_text("brands:\n  - name: Nokia\n    keywords: [nokia]\n", encoding="utf-8")
    unreachable = _careloop(["stats", "--config", str(config)],
                            {"CARELOOP_DATABASE_URL": "postgresql://care:PGSECRET_2@127.0.0.1:1/careloop"})
    assert unreachable.returncode == 3 and len(unreachable.stderr.strip().splitlines()) == 1, unreachable.stderr
    assert unreachable.stderr.startswith("error: cannot use database postgresql://care:***@127.0.0.1:1/careloop")
    assert "PGSECRET_2" not in unreachable.stderr

    database = tmp_path / "careloop.db"
    env = {"CARELOOP_DATABASE_URL": f"sqlite:///{database}"}
    assert _careloop(["db", "upgrade", "--config", str(config)], env).returncode == 0
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # another process writing (and not letting go)
    try:
        locked = _careloop(["user", "add", "olga", "--role", "agent", "--password-stdin", "--config", str(config)], env,
                           stdin="long enough password\n")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert locked.returncode == 3 and len(locked.stderr.strip().splitlines()) == 1, locked.stderr
    assert locked.stderr.startswith(f"error: database sqlite:///{database} is locked by another writer")
