"""Shared fixtures: a migrated database on a real SQLite file and on the real PostgreSQL server.

PostgreSQL comes from CARELOOP_TEST_POSTGRES_URL (default: the local server, database `test`);
tests skip it only where no server answers. Each test gets its own fresh database.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import careloop.stages  # noqa: F401  (wires the stages as the CLI does: configuration learns the source types)
from careloop.config import parse_config
from store.db import connect
from tests.loopback import http_server  # noqa: F401  (fixture for every test)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("CARELOOP_THREADS", "2")

POSTGRES_URL = os.environ.get("CARELOOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REPO = Path(__file__).resolve().parents[1]


def _postgres_available() -> bool:
    try:
        with create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3}).connect() as connection:
            connection.execute(text("select 1"))
        return True
    except Exception:
        return False


POSTGRES_UP = _postgres_available()


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """argon2 at its lowest cost in the test process: at production cost (64 MiB, 3 passes, 4 lanes) a seeded
    user took 0.12 s to hash and each login 0.15 s to verify, a minute of the suite. A login verifies with the
    cost stored in its hash, so logins get cheap too. Production's cost is what `careloop demo` stores (a real
    process: tests/test_cli.py), and tests/inbox/test_concurrency.py logs in at that cost."""
    from argon2 import PasswordHasher

    from inbox import users

    production, users._hasher = users._hasher, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    users._dummy_hash.cache_clear()
    yield
    users._hasher = production
    users._dummy_hash.cache_clear()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A URL of an empty database, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'careloop.db'}"
        return
    if not POSTGRES_UP:
        pytest.skip(f"no PostgreSQL server answers at {POSTGRES_URL}")
    name = f"careloop_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    connect.cache_clear()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class MigratedTemplates:
    """The schema migrated once per test session, copied into each test's database: running every migration
    took 0.25 s per SQLite file and 1.0 s per PostgreSQL database, a copy 1 ms and 0.08 s (CREATE DATABASE …
    TEMPLATE). The migrations themselves are tested on empty databases (`db_url`, tests/store/test_migrations.py)."""

    def __init__(self, directory: Path):
        self._sqlite = directory / "template.db"
        self._postgres: str | None = None

    def sqlite_copy(self, path: Path) -> str:
        if not self._sqlite.exists():
            engine = connect(f"sqlite:///{self._sqlite}")
            with engine.connect() as connection:  # everything into the main file, which is what is copied
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            connect.cache_clear()
        shutil.copyfile(self._sqlite, path)
        return f"sqlite:///{path}"

    def postgres_copy(self, admin, name: str) -> None:
        """Database `name` (empty, made by `db_url`) made anew from the migrated template."""
        if self._postgres is None:
            template = f"careloop_template_{uuid.uuid4().hex[:12]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{template}"'))
            engine = connect(make_url(POSTGRES_URL).set(database=template).render_as_string(hide_password=False))
            engine.dispose()  # a template database may have no connections while it is copied
            connect.cache_clear()
            self._postgres = template
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self._postgres}"'))

    def drop(self, admin) -> None:
        if self._postgres is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self._postgres}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory):
    templates = MigratedTemplates(tmp_path_factory.mktemp("schema-template"))
    yield templates
    if POSTGRES_UP:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        templates.drop(admin)
        admin.dispose()


@pytest.fixture
def engine(db_url, migrated_templates):
    """A migrated engine on a fresh database (SQLite file or PostgreSQL), the same database as `db_url`."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        migrated_templates.sqlite_copy(Path(url.database))
    else:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        migrated_templates.postgres_copy(admin, url.database)
        admin.dispose()
    engine = connect(db_url)
    yield engine
    engine.dispose()
    connect.cache_clear()


@pytest.fixture
def sqlite_engine(tmp_path, migrated_templates):
    """SQLite only, for tests whose subject is not the database."""
    engine = connect(migrated_templates.sqlite_copy(tmp_path / "careloop.db"))
    yield engine
    engine.dispose()
    connect.cache_clear()




@pytest.fixture
def make_config(tmp_path):
    """Build a validated Config from a dict, as if loaded from tmp_path/careloop.yaml."""

    def build(data: dict):
        return parse_config(data, tmp_path / "careloop.yaml")

    return build

@pytest.fixture(scope="session")
def smtp_sink_server():
    """One real SMTP server on loopback for the whole run (aiosmtpd): see `smtp_sink`."""
    from publishing.sink import SmtpSink

    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_sink(smtp_sink_server):
    """The shared loopback SMTP server, emptied and unscripted for this test (and running again if a test stopped it)."""
    smtp_sink_server.reset()
    if smtp_sink_server._controller is None:
        smtp_sink_server.start()
    yield smtp_sink_server
    smtp_sink_server.reset()


def email_settings(sink, **overrides) -> dict:
    """The `email:` section of careloop.yaml for a loopback sink."""
    return {"host": sink.host, "port": sink.port, "security": "none", "from": "Nokia Care <care@example.com>", **overrides}


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items):
    """Modules with browser tests run last: while the shared Chromium is open, Playwright's sync API keeps an event
    loop running in the main thread, and Prefect's sync calls made after it would return coroutines.

    `make test` runs two pytest-xdist workers by module (`-n 2 --dist loadfile --no-loadscope-reorder`): a module
    fixture (the demo database, the operator's Prefect server) is made once, and modules are handed out in this
    order, so a worker that has opened Chromium gets only browser modules after it."""
    browser_modules = {item.path for item in items if item.get_closest_marker("browser")}
    items.sort(key=lambda item: item.path in browser_modules)


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for every browser test (playwright drives it); each test opens its own context."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    """A private careloop data directory: the e5 conversion is written there once per test session."""
    path = tmp_path_factory.mktemp("careloop-data")
    old = os.environ.get("CARELOOP_DATA_DIR")
    os.environ["CARELOOP_DATA_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("CARELOOP_DATA_DIR", None)
    else:
        os.environ["CARELOOP_DATA_DIR"] = old


@pytest.fixture(scope="session")
def converted(data_dir):
    from sentiment.e5_convert import convert

    return convert()


@pytest.fixture(scope="session")
def default_scorer(converted):
    from sentiment.scorer import load_scorer

    return load_scorer("default")
