"""The migrations build exactly the schema the models describe, on both backends, and keep stored rows."""
import os
import subprocess

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from store.db import alembic_config, current_revision, make_engine, session_scope, upgrade
from store.models import Base, Draft
from tests.conftest import REPO
from tests.drafting.helpers import add_mention


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


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
