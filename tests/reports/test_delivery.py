"""Digests and alerts through the outbox to real servers on loopback (SQLite; the figures and alerts tests cover
PostgreSQL, the outbox's own tests its delivery there): the digest e-mail as aiosmtpd receives it
(text and HTML parts, charts inline by CID, one-click List-Unsubscribe, hostile text escaped), sent once however
often the flow runs; a subscriber's one-click unsubscribe; alerts to e-mail and to signed and Slack webhooks.
Leaves test-artifacts/digest-email.png (the received HTML with its inline charts, in Chromium)."""
from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from careloop.signing import verify
from careloop.webapp import create_app
from reports.pipeline import run_reports
from store.db import session_scope
from store.models import OutboxMessage
from tests.conftest import email_settings
from tests.inbox.conftest import LiveServer

from .conftest import at, put
from .test_figures import seed

SCREENSHOT = Path(__file__).resolve().parents[2] / "test-artifacts" / "digest-email.png"
HOSTILE = "<script>alert(1)</script><a href='https://evil.example'>win</a> {{ 7*7 }}"
SECRET = "whsec-" + "a" * 30
MONDAY_NINE = at("2024-04-01 07:00")  # 09:00 in Prague (summer time): the weekly digest of 25–31 March is due


@pytest.fixture
def config(reports_config, smtp_sink, http_server, monkeypatch):
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    monkeypatch.setenv("CARELOOP_SECRET_KEY", "unsubscribe-test-" + "k" * 32)
    return reports_config(
        top={"email": email_settings(smtp_sink), "webhooks": {
            "status": {"url": http_server.url + "/hooks/status", "secret_env": "HOOK_SECRET"},
            "slack": {"url": http_server.url + "/hooks/slack", "format": "slack"}}},
        digests=[{"name": "nokia-weekly", "brands": ["Nokia"], "period": "weekly", "weekday": "monday",
                  "send_at": "08:00", "subscribers": ["mark@example.com", "eva@example.com"]}],
        alerts={"subscribers": ["oncall@example.com"], "webhooks": ["status", "slack"], "min_count": 3})


@pytest.mark.browser  # it opens the shared Chromium: run with the browser tests, last (tests/conftest.py)
def test_weekly_digest_email_as_received(sqlite_engine, config, smtp_sink, chromium, tmp_path):
    with session_scope(sqlite_engine) as session:
        seed(session)
        put(session, "hostile", "2024-03-29 12:00", sentiment="negative", score=-1.0, text=HOSTILE)
    run = run_reports(sqlite_engine, config, now=MONDAY_NINE)
    assert [built.name for built in run.digests] == ["nokia-weekly"] and run.delivery["sent"] == 2
    messages = {message["To"]: message for message in smtp_sink.messages()}
    assert set(messages) == {"mark@example.com", "eva@example.com"}
    email = messages["mark@example.com"]
    assert email["Subject"] == "Nokia · Weekly digest 2024-03-25 – 2024-03-31: 8 mentions (+4 (+100.0 %))"  # headers are one line of plain spaces
    assert email.get_content_type() == "multipart/alternative"
    text, related = email.get_payload()
    assert text.get_content_type() == "text/plain" and "Mentions: 8 (+4 (+100.0" in text.get_content()
    assert related.get_content_type() == "multipart/related"
    html_part, *images = related.get_payload()
    html = html_part.get_content()
    cids = {image["Content-ID"].strip("<>"): image for image in images}
    assert set(cids) == {"trend", "sources", "voice"} and all(i.get_content_type() == "image/png" for i in images)
    assert set(re.findall(r'src="cid:([^"]+)"', html)) == set(cids)
    assert all(image.get_content()[:8] == b"\x89PNG\r\n\x1a\n" for image in images)
    # One-click unsubscribe (RFC 8058) into the inbox; hostile text only as text; links only to the inbox.
    assert email["List-Unsubscribe"].startswith("<https://care.example.com/reports/digests/unsubscribe/")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert set(re.findall(r'href="([^"]+)"', html)) <= {*re.findall(r'href="(https://care\.example\.com/[^"]*)"', html)}
    assert "{{ 7*7 }}" in html

    # The received HTML in Chromium, charts from its own parts.
    for cid, image in cids.items():
        (tmp_path / f"{cid}.png").write_bytes(image.get_content())
    (tmp_path / "digest.html").write_text(re.sub(r'src="cid:([^"]+)"', r'src="\1.png"', html), encoding="utf-8")
    page = chromium.new_page(viewport={"width": 700, "height": 900})
    try:
        page.goto((tmp_path / "digest.html").as_uri())
        assert page.locator("#volume").inner_text() == "8"
        assert page.evaluate("[...document.images].every(img => img.complete && img.naturalWidth === 1200)")
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    finally:
        page.close()

    # The flow runs again (and again later that day): nothing new is sent.
    for later in (timedelta(0), timedelta(hours=6)):
        again = run_reports(sqlite_engine, config, now=MONDAY_NINE + later)
        assert again.digests == [] and again.queued == 0
    assert len(smtp_sink.messages()) == 2


def test_one_click_unsubscribe_skips_that_subscriber(sqlite_engine, config, smtp_sink):
    with session_scope(sqlite_engine) as session:
        seed(session)
    run_reports(sqlite_engine, config, now=MONDAY_NINE)
    link = next(m for m in smtp_sink.messages() if m["To"] == "eva@example.com")["List-Unsubscribe"].strip("<>")
    server = LiveServer(create_app(sqlite_engine, config, session_secret="delivery-" + "s" * 32))
    try:
        path = link.removeprefix("https://care.example.com")
        with httpx.Client(base_url=server.url) as fresh:  # the mail client: no session, no CSRF token
            assert fresh.post(path[:-3] + "xyz", data={"List-Unsubscribe": "One-Click"}).status_code == 404  # forged
            assert fresh.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    finally:
        server.close()
    smtp_sink.reset()
    run_reports(sqlite_engine, config, now=MONDAY_NINE + timedelta(days=7))  # the next week's digest
    assert [m["To"] for m in smtp_sink.messages()] == ["mark@example.com"]
    with session_scope(sqlite_engine) as session:
        skipped = session.scalars(select(OutboxMessage).where(OutboxMessage.status == "skipped_unsubscribed")).all()
        assert [row.error for row in skipped] == ["eva@example.com unsubscribed from digest nokia-weekly"]


def test_alert_by_email_and_signed_webhooks(sqlite_engine, config, smtp_sink, http_server):
    http_server.route("/hooks/status", "ok", content_type="text/plain")
    http_server.route("/hooks/slack", "ok", content_type="text/plain")
    with session_scope(sqlite_engine) as session:
        for index in range(6):
            put(session, f"spike-{index}", f"2024-05-14 14:{10 + index}", source_type="reddit", sentiment="negative",
                text="<!channel> login broken")
    run = run_reports(sqlite_engine, config, now=at("2024-05-14 15:05"))
    assert {alert["kind"] for alert in run.alerts} == {"volume", "negative_share"}
    with session_scope(sqlite_engine) as session:  # two alerts, each to one address and two webhooks (and the due digest)
        sent = session.scalars(select(OutboxMessage.channel).where(OutboxMessage.kind == "alert",
                                                                   OutboxMessage.status == "sent")).all()
    assert sorted(sent) == ["email", "email", "webhook", "webhook", "webhook", "webhook"]
    [email] = [m for m in smtp_sink.messages() if "negative share" in m["Subject"]]
    assert email["Subject"] == "[careloop] Nokia: negative share spike (reddit)"
    assert "6 negative mentions in the last 60 min (100% of 6), usual 0–0 (0%)" in email.get_body(("plain",)).get_content()
    posts = [request for request in http_server.requests if request["path"] == "/hooks/status"]
    body = posts[0]["body"].encode()
    assert verify(SECRET, posts[0]["headers"]["X-Careloop-Signature"], body)
    generic = json.loads(body)
    assert generic["event"].startswith("alert.") and generic["url"].startswith("https://care.example.com/?brand=Nokia")
    assert generic["data"]["brand"] == "Nokia" and generic["data"]["count"] == 6
    slack = [json.loads(r["body"]) for r in http_server.requests if r["path"] == "/hooks/slack"]
    assert all("<!channel>" not in post["text"] for post in slack)
    assert run_reports(sqlite_engine, config, now=at("2024-05-14 15:20")).queued == 0  # cooldown: once
