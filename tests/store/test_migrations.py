"""The migrations build exactly the schema the models describe, on both backends, and keep stored rows."""
import os
import subprocess

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select

from store.db import alembic_config, current_revision, make_engine, session_scope, upgrade
from store.models import Base, Draft
from store.search import include_in_autogenerate
from tests.conftest import REPO
from tests.drafting.helpers import add_mention


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_in_autogenerate})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_and_upgrade_keep_drafts(db_url):
    engine = make_engine(db_url)
    try:
        head = upgrade(engine)
        with session_scope(engine) as session:
            mention = add_mention(session, "Nokia G42 keeps rebooting")
            session.add(Draft(mention_id=mention.id, status="pending", priority=70, text="Sorry to hear that."))
        command.downgrade(alembic_config(engine), "0001")
        assert current_revision(engine) == "0001"
        assert upgrade(engine) == head == current_revision(engine)
        with session_scope(engine) as session:
            assert session.scalar(select(func.count()).select_from(Draft)) == 1
            assert session.scalar(select(Draft.text)) == "Sorry to hear that."
    finally:
        engine.dispose()


def test_processes_starting_together_on_an_empty_database_migrate_it_once(db_url):
    """Two workers or CLI runs starting at once: one migrates, the other waits and finds it done."""
    from tests.test_cli import CARELOOP

    env = {**os.environ, "CARELOOP_DATABASE_URL": db_url}
    processes = [subprocess.Popen([CARELOOP, "db", "upgrade", "--config", "examples/careloop.yaml"], cwd=REPO, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [(process.wait(120), *process.communicate()) for process in processes]
    assert all(code == 0 for code, _, _ in outcomes), outcomes
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) == ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    finally:
        engine.dispose()


def test_a_database_with_replies_in_flight_upgrades_from_the_first_release(db_url):
    """What a running deployment has: drafts with their audit events and an outbox row pointing at them. On
    SQLite, altering `drafts` copies the table while other rows point at it (foreign keys)."""
    engine = make_engine(db_url)
    try:
        command.upgrade(alembic_config(engine), "0002")
        now = "2026-11-20 10:00:00+00:00"
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO sources (id, name, type, cursor) VALUES (1, 'reddit', 'reddit', '{}')",
                "INSERT INTO mentions (id, source_id, source_type, external_id, text, text_hash, fetched_at, "
                f"matched_keywords, extra, raw) VALUES (1, 1, 'reddit', 't1_a', 'Nokia G42 reboots', 'h', '{now}', '[]', '{{}}', '{{}}')",
                "INSERT INTO drafts (id, mention_id, status, text, check_failures, priority, created_at, updated_at) "
                f"VALUES (1, 1, 'approved', 'Sorry!', '[]', 10, '{now}', '{now}')",
                "INSERT INTO draft_events (draft_id, mention_id, at, actor, action) "
                f"VALUES (1, 1, '{now}', 'jana', 'approved')",
                "INSERT INTO outbox (key, kind, draft_id, status, payload, attempts, created_at) "
                f"VALUES ('reply:1', 'reddit_reply', 1, 'pending', '{{}}', 0, '{now}')",
            ):
                connection.exec_driver_sql(statement)
        upgrade(engine)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM draft_events").scalar() == 1
            assert connection.exec_driver_sql("SELECT status, text FROM drafts").one() == ("approved", "Sorry!")
            assert connection.exec_driver_sql("SELECT kind, channel, status FROM outbox").one() == ("reply", "reddit", "queued")
    finally:
        engine.dispose()


def test_a_migration_that_fails_half_way_leaves_the_schema_as_it_was(db_url):
    """One transaction for the whole upgrade, on SQLite too (its driver commits DDL statement by statement)."""
    engine = make_engine(db_url)
    try:
        command.upgrade(alembic_config(engine), "0003")
        with engine.begin() as connection:  # a table in the way of a later revision
            connection.exec_driver_sql("CREATE TABLE contacts (squatter INTEGER)")
        with pytest.raises(Exception, match="contacts"):
            upgrade(engine)
        assert current_revision(engine) == "0003"
        with engine.connect() as connection:
            columns = {column["name"] for column in inspect(connection).get_columns("outbox")}
            tables = set(inspect(connection).get_table_names())
        assert "channel" not in columns and not {"suppressions", "_alembic_tmp_drafts", "known_issues"} & tables
    finally:
        engine.dispose()
