"""Planted secrets never reach a log line, at any level: a Heureka export key (httpx logs request URLs at INFO and
redirect Location headers at DEBUG), a database password (in a bad or unreachable database URL)."""
from __future__ import annotations

import io
import logging

import pytest
from typer.testing import CliRunner

from careloop.config import SourceConfig
from connectors import get_connector
from store.db import DatabaseError, connect, make_engine
from tests.conftest import REPO

EXPORT_KEY = "HKSECRET_8d1f0c"
DB_PASSWORD = "PGSECRET_1"
EXPORT = (REPO / "tests" / "connectors" / "fixtures" / "heureka_eshop_reviews.xml").read_bytes()


@pytest.fixture
def captured_at():
    """captured_at(level) -> a buffer receiving every log record of the process at that level and above."""
    root, handlers, previous = logging.getLogger(), [], logging.getLogger().level

    def capture(level: int) -> io.StringIO:
        buffer = io.StringIO()
        handler = logging.StreamHandler(buffer)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(level)
        handlers.append(handler)
        return buffer

    yield capture
    for handler in handlers:
        root.removeHandler(handler)
    root.setLevel(previous)


@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR])
def test_no_planted_secret_in_any_log_line(level, captured_at, http_server, monkeypatch, tmp_path):
    logs = captured_at(level)
    monkeypatch.setenv("NOKIA_EXPORT", EXPORT_KEY)  # a variable whose name does not say "secret"
    http_server.route("/export.php", "", status=302, content_type="text/plain",
                      headers={"Location": f"/download/reviews.xml?key={EXPORT_KEY}&fmt=xml"})
    http_server.route("/download/reviews.xml", EXPORT, content_type="text/xml")
    source = SourceConfig(name="shop", type="heureka", brand="Nokia", url=http_server.url + "/export.php",
                          options={"key_env": "NOKIA_EXPORT"})
    assert len(get_connector("heureka").fetch(source, {}, []).mentions) == 5
    http_server.route("/export.php", "down", status=503, content_type="text/plain")
    with pytest.raises(Exception) as failed:
        get_connector("heureka").fetch(source, {}, [])
    logging.getLogger("careloop.ingest").error("%s", failed.value)

    with pytest.raises(DatabaseError) as bad_url:
        make_engine(f"postgresql://care:{DB_PASSWORD}@127.0.0.1:notaport/careloop")
    logging.getLogger("careloop").error("%s", bad_url.value)
    try:
        connect(f"postgresql://care:{DB_PASSWORD}@127.0.0.1:1/careloop")
    except Exception:
        logging.getLogger("careloop").exception("database unreachable")
    finally:
        connect.cache_clear()

    from careloop.cli import app

    config = tmp_path / "careloop.yaml"
    config.write_text("brands:\n  - name: Nokia\n    keywords: [nokia]\n", encoding="utf-8")
    monkeypatch.setenv("CARELOOP_DATABASE_URL", f"postgresql://care:{DB_PASSWORD}@127.0.0.1:notaport/careloop")
    cli = CliRunner().invoke(app, ["db", "upgrade", "--config", str(config)])

    text = logs.getvalue() + cli.output
    assert EXPORT_KEY not in text and DB_PASSWORD not in text
    assert "database unreachable" in text and "<redacted>" in text  # something was logged, and redacted
    if level <= logging.INFO:
        assert "HTTP Request: GET" in text and "/download/reviews.xml?<redacted>" in text
