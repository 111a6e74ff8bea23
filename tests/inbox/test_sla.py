"""The queue flags drafts waiting past the `sla:` target of their priority class — the targets the sla KPI uses."""
from __future__ import annotations

from datetime import timedelta

import httpx

from careloop.webapp import create_app
from inbox.users import add_user
from store.db import session_scope
from store.models import Draft
from tests.drafting.helpers import add_mention, demo_config
from tests.inbox.conftest import PASSWORD, LiveServer, login


def test_queue_flags_what_waits_past_its_sla_target(sqlite_engine, make_config):
    config = demo_config(make_config, sla={"high": "1h", "normal": "24h", "high_from_priority": 1000})
    with session_scope(sqlite_engine) as session:
        add_user(session, "alice", "agent", PASSWORD)
        for text, priority, age in (("urgent and late", 1200, timedelta(hours=3)), ("normal and in time", 10, timedelta(hours=3)),
                                    ("urgent, just in", 1200, timedelta(minutes=20))):
            mention = add_mention(session, text, age=age)
            session.add(Draft(mention_id=mention.id, status="pending", text="Hi", priority=priority))
    server = LiveServer(create_app(sqlite_engine, config, session_secret="sla-test-" + "q" * 32))
    try:
        with httpx.Client(base_url=server.url, follow_redirects=True) as client:
            login(client, "alice")
            rows = client.get("/").text.split('<tr class="row"')[1:]
    finally:
        server.close()
    flagged = {row.split("<br>", 1)[1].split("</td>", 1)[0].strip(): "past SLA" in row for row in rows}
    assert flagged == {"urgent and late": True, "normal and in time": False, "urgent, just in": False}
