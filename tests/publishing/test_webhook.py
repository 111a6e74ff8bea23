"""Webhooks through the outbox to a real HTTP server on loopback: signed generic JSON, Slack and Teams shapes,
5xx retried, 4xx failed."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from careloop.signing import verify
from publishing.outbox import deliver, enqueue
from store.db import session_scope
from store.models import OutboxMessage
from tests.drafting.helpers import demo_config

SECRET = "whsec-test-" + "s" * 24
HOSTILE = "<!channel> login down & <https://evil.example|click>"


@pytest.fixture
def config(make_config, http_server, monkeypatch):
    monkeypatch.setenv("STATUSPAGE_SECRET", SECRET)
    return demo_config(make_config, outbox={"retry_seconds": 0, "max_attempts": 2}, webhooks={
        "statuspage": {"url": http_server.url + "/hooks/status", "format": "generic", "secret_env": "STATUSPAGE_SECRET"},
        "slack": {"url": http_server.url + "/hooks/slack", "format": "slack"},
        "teams": {"url": http_server.url + "/hooks/teams", "format": "teams"},
    })


def _post(engine, webhook, key=None):
    with session_scope(engine) as session:
        enqueue(session, key=key or f"alert:{webhook}", kind="alert", channel="webhook", payload={
            "webhook": webhook, "event": "known_issue.opened", "title": "Login fails on Android", "text": HOSTILE,
            "url": "https://care.example.com/issues/1", "data": {"issue": "login-android", "status": "investigating"}})


def test_generic_is_signed_slack_and_teams_get_their_shapes(engine, config, http_server):
    for path in ("/hooks/status", "/hooks/slack", "/hooks/teams"):
        http_server.route(path, "ok", content_type="text/plain")
    for webhook in ("statuspage", "slack", "teams"):
        _post(engine, webhook)
    assert deliver(engine, config, kinds=["alert"])["sent"] == 3
    requests = {request["path"]: request for request in http_server.requests}

    generic = requests["/hooks/status"]
    body = generic["body"].encode()
    assert verify(SECRET, generic["headers"]["X-Careloop-Signature"], body)
    assert not verify("another secret", generic["headers"]["X-Careloop-Signature"], body)
    assert not verify(SECRET, generic["headers"]["X-Careloop-Signature"], body.replace(b"investigating", b"resolved"))
    assert json.loads(body)["data"] == {"issue": "login-android", "status": "investigating"}

    slack = json.loads(requests["/hooks/slack"]["body"])
    assert slack["text"].startswith("*Login fails on Android*")
    assert "&lt;!channel&gt;" in slack["text"] and "<!channel>" not in slack["text"]  # no mass mention from text
    assert "X-Careloop-Signature" not in requests["/hooks/slack"]["headers"]

    card = json.loads(requests["/hooks/teams"]["body"])["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard" and card["body"][1]["text"] == HOSTILE
    assert card["actions"][0]["url"] == "https://care.example.com/issues/1"


def test_5xx_is_retried_4xx_fails(engine, config, http_server):
    http_server.route("/hooks/status", "busy", status=503, content_type="text/plain")
    http_server.route("/hooks/slack", "invalid_payload", status=400, content_type="text/plain")
    _post(engine, "statuspage")
    _post(engine, "slack")
    counts = deliver(engine, config, kinds=["alert"])
    assert (counts["failed"], counts["retrying"]) == (2, 1)  # 503 twice (max_attempts 2), 400 once
    with session_scope(engine) as session:
        errors = {row.key: (row.attempts, row.error) for row in session.scalars(select(OutboxMessage))}
    assert errors["alert:statuspage"][0] == 2 and "gave up after 2 attempts" in errors["alert:statuspage"][1]
    assert errors["alert:slack"][0] == 1 and "answered 400: invalid_payload" in errors["alert:slack"][1]

    http_server.route("/hooks/status", "ok", content_type="text/plain")
    _post(engine, "statuspage", key="alert:statuspage:2")
    assert deliver(engine, config, kinds=["alert"])["sent"] == 1


def test_a_generic_webhook_without_secret_is_a_config_error(make_config):
    with pytest.raises(Exception, match="secret_env"):
        demo_config(make_config, webhooks={"x": {"url": "https://example.com/hook", "format": "generic"}})
