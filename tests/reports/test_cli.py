"""`careloop digest` as a user runs it: a real process, a real SQLite file, a real SMTP server on loopback."""
from __future__ import annotations

import yaml

from store.db import connect, session_scope
from tests.conftest import email_settings
from tests.test_cli import careloop

from .test_figures import seed


def test_digest_by_hand_writes_files_and_sends_once(tmp_path, smtp_sink):
    config = tmp_path / "careloop.yaml"
    config.write_text(yaml.safe_dump({
        "database": "sqlite:///careloop.db",
        "brands": [{"name": "Nokia", "keywords": ["Nokia"]}, {"name": "Slack", "keywords": ["Slack"]}],
        "email": email_settings(smtp_sink),
        "reports": {"timezone": "Europe/Prague", "digests": [
            {"name": "nokia-weekly", "brands": ["Nokia"], "period": "weekly", "subscribers": ["mark@example.com"]}]},
    }), encoding="utf-8")
    with session_scope(connect(f"sqlite:///{tmp_path / 'careloop.db'}")) as session:
        seed(session)
    args = ["digest", "--config", str(config), "--brand", "Nokia", "--period", "7d", "--until", "2024-03-31"]
    first = careloop(*args, "--out", str(tmp_path / "out"), "--send", "--language", "cs")
    assert "mentions: 7 (+3 (+75.0" in first.stdout and "queued for 1 subscriber" in first.stdout
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert written == ["manual-Nokia-2024-03-25-sources.png", "manual-Nokia-2024-03-25-trend.png",
                       "manual-Nokia-2024-03-25-voice.png", "manual-Nokia-2024-03-25.html", "manual-Nokia-2024-03-25.txt"]
    html = (tmp_path / "out" / "manual-Nokia-2024-03-25.html").read_text(encoding="utf-8")
    assert 'src="manual-Nokia-2024-03-25-trend.png"' in html and "Týdenní přehled" in html
    [message] = smtp_sink.messages()
    assert message["To"] == "mark@example.com" and "Týdenní přehled" in message["Subject"]

    bad = careloop("digest", "--config", str(config), "--brand", "Nokia", "--period", "7x", check=False)
    assert bad.returncode == 2 and "period '7x' is not understood" in bad.stderr and "Traceback" not in bad.stderr
