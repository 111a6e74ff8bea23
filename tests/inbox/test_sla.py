"""The SLA timer: each waiting draft shows its age against the `sla:` target of its priority class — the targets the
sla KPI uses — as time left, due soon in the last quarter, or "past SLA" once over, in the queue and on the mention
page; priority reads as words, not the stored number."""
from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from careloop.webapp import create_app
from inbox.users import add_user
from store.db import session_scope
from store.models import Draft
from tests.drafting.helpers import add_mention, demo_config
from tests.inbox.conftest import PASSWORD, LiveServer, login, queue_rows, visible_text

# Ages end on half a minute, so a page rendered up to 30 s after seeding shows the same minutes.
HALF = timedelta(seconds=30)
DRAFTS = [  # mention text, priority, sentiment, stars, age
    ("urgent and late", 1548, "negative", 1.0, timedelta(hours=3, minutes=10) + HALF),
    ("normal and in time", 10, "neutral", None, timedelta(hours=2, minutes=29) + HALF),
    ("urgent, just in", 1200, "negative", None, timedelta(minutes=20) + HALF),
    ("urgent, nearly due", 1200, "negative", None, timedelta(minutes=50) + HALF),
]


@pytest.fixture
def sla_inbox(sqlite_engine, make_config):
    """(client logged in as an agent, {mention text: mention id}) on an inbox with the demo's 1 h / 24 h targets."""
    config = demo_config(make_config, sla={"high": "1h", "normal": "24h", "high_from_priority": 1000})
    mentions = {}
    with session_scope(sqlite_engine) as session:
        add_user(session, "alice", "agent", PASSWORD)
        for text, priority, sentiment, stars, age in DRAFTS:
            mention = add_mention(session, text, sentiment=sentiment, rating=stars, age=age)
            session.add(Draft(mention_id=mention.id, status="pending", text="Hi", priority=priority))
            mentions[text] = mention.id
    server = LiveServer(create_app(sqlite_engine, config, session_secret="sla-test-" + "q" * 32))
    try:
        with httpx.Client(base_url=server.url, follow_redirects=True) as client:
            login(client, "alice")
            yield client, mentions
    finally:
        server.close()


def test_queue_shows_priority_words_and_each_drafts_time_against_its_target(sla_inbox):
    client, _ = sla_inbox
    rows = {row["text"].split(" | ")[0].removeprefix("jana "): row for row in queue_rows(client.get("/").text)}
    assert {text: row["priority"] for text, row in rows.items()} == {
        "urgent and late": "high · negative · 1★ · 3 h old past SLA: 3 h 10 min of 1 h",
        "urgent, nearly due": "high · negative · 50 min old 9 min left",
        "urgent, just in": "high · negative · 20 min old 39 min left",
        "normal and in time": "normal · neutral · 2 h old 21 h 30 min left",
    }
    assert "1548" not in rows["urgent and late"]["priority"]  # the number is only the tooltip
    assert {text: row["class"] for text, row in rows.items()} == {
        "urgent and late": "overdue", "urgent, nearly due": "", "urgent, just in": "", "normal and in time": ""}
    page = client.get("/").text
    assert re.search(r'class="sla breached"[^>]*>past SLA: 3 h 10 min of 1 h<', page)
    assert re.search(r'class="sla due-soon"[^>]*>9 min left<', page)


def test_mention_page_shows_the_same_timer_and_none_once_decided(sla_inbox):
    client, mentions = sla_inbox
    page = client.get(f"/mentions/{mentions['urgent and late']}").text
    priority = visible_text(re.search(r'<p class="priority" id="priority">(.*?)</p>', page, re.S).group(1))
    assert priority == "high · negative · 1★ · 3 h old past SLA: 3 h 10 min of 1 h"

    page = client.get(f"/mentions/{mentions['normal and in time']}").text
    assert re.search(r'class="sla on-time" title="waiting 2 h 29 min; the target for normal priority is 1 d">'
                     r'21 h 30 min left<', page)

    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    draft_id = re.search(r'action="/drafts/(\d+)/approve"', page).group(1)
    client.post(f"/drafts/{draft_id}/approve", data={"csrf_token": token, "mode": "as_drafted", "next": "/"})
    page = client.get(f"/mentions/{mentions['normal and in time']}").text
    assert 'id="draft-status">approved<' in page
    assert 'class="sla' not in page  # nobody waits on an approved reply: no clock
