"""Shared fixtures: a migrated database on a real SQLite file and on the real PostgreSQL server.

PostgreSQL comes from CARELOOP_TEST_POSTGRES_URL (default: the local server, database `test`);
tests skip it only where no server answers. Each test gets its own fresh database.
"""
from __future__ import annotations

import os
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


@pytest.fixture
def engine(db_url):
    """A migrated engine on a fresh database (SQLite file or PostgreSQL)."""
    engine = connect(db_url)
    yield engine
    engine.dispose()
    connect.cache_clear()


@pytest.fixture
def sqlite_engine(tmp_path):
    """SQLite only, for tests whose subject is not the database."""
    engine = connect(f"sqlite:///{tmp_path / 'careloop.db'}")
    yield engine
    engine.dispose()
    connect.cache_clear()


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium (Debian's, driven by playwright) for every browser test of the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
    """Browser tests run last: while the shared Chromium is open, Playwright's sync API keeps an event loop running
    in the main thread, and Prefect's sync calls made after it would return coroutines."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


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
