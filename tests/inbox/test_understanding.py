"""What careloop understood, as an agent meets it in the inbox: the topic (and fixing it redrafts the reply), the
help articles and an earlier answer beside the draft, and "not about us" (one key in the queue; its own filter;
undone from the mention)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from drafting.pipeline import draft_mentions
from careloop.webapp import create_app
from store.db import session_scope
from store.models import Draft, Mention
from tests.drafting.helpers import add_mention, demo_config

from .conftest import LiveServer, login, post, seed

ROW = re.compile(r'data-draft="(\d+)"')
COMPLAINT = "My Nokia XR21 was charged twice for order 2023-55810, I want my money back"


@pytest.fixture
def inbox(engine, make_config):
    config = demo_config(make_config)
    seed(engine)
    with session_scope(engine) as session:
        mention = add_mention(session, COMPLAINT, source="reddit-nokia", source_type="reddit", sentiment="negative")
        mention.topic, mention.topic_confidence, mention.topic_source = "repair", 0.41, "model"
        draft_mentions(session, config)
        draft = session.scalar(select(Draft).where(Draft.mention_id == mention.id))
        draft.suggestions = {
            "articles": [{"key": "refunds", "title": "Returns and refunds <b>now</b>", "link": "https://www.hmd.com/en_int/support/refunds",
                          "language": "en", "passage": "We refund within 14 days. <script>alert(1)</script>", "score": 0.8812}],
            "answered_before": {"draft_id": 1, "similarity": 0.93, "language": "en", "text": "Hi jana, sorry about the double charge."}}
        ids = mention.id, draft.id
    server = LiveServer(create_app(engine, config, session_secret="test-secret-" + "x" * 32))
    client = __import__("httpx").Client(base_url=server.url, timeout=30)
    assert login(client, "alice").status_code == 303
    yield client, engine, ids
    client.close()
    server.close()


def test_mention_page_shows_topic_articles_and_earlier_answer(inbox):
    client, _, (mention_id, draft_id) = inbox
    page = client.get(f"/mentions/{mention_id}").text
    assert '<b id="topic">repair</b>' in page and "confidence 0.41" in page
    assert 'href="https://www.hmd.com/en_int/support/refunds"' in page and "score 0.88" in page
    assert "Returns and refunds &lt;b&gt;now&lt;/b&gt;" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "Answered like this before" in page and "Hi jana, sorry about the double charge." in page


def test_fixing_the_topic_redrafts_the_reply(inbox):
    client, engine, (mention_id, draft_id) = inbox
    with session_scope(engine) as session:
        assert session.get(Draft, draft_id).template == "en/topic/repair.j2"
    response = post(client, f"/mentions/{mention_id}/topic", {"topic": "billing"}, page=f"/mentions/{mention_id}")
    assert response.status_code == 303
    with session_scope(engine) as session:
        mention, draft = session.get(Mention, mention_id), session.get(Draft, draft_id)
        assert (mention.topic, mention.topic_source) == ("billing", "agent")
        assert draft.template == "en/topic/billing.j2" and "the payment for order 2023-55810" in draft.text
    assert "topic repair → billing" in client.get(f"/mentions/{mention_id}").text  # in the audit log
    bad = post(client, f"/mentions/{mention_id}/topic", {"topic": "weather"}, page=f"/mentions/{mention_id}")
    assert "unknown topic" in client.get(bad.headers["location"]).text


def test_not_about_us_leaves_the_queue_shows_under_its_filter_and_can_be_undone(inbox):
    client, engine, (mention_id, draft_id) = inbox
    assert str(draft_id) in ROW.findall(client.get("/").text)
    response = post(client, f"/mentions/{mention_id}/relevance", {"relevance": "not_about", "stay": "1", "next": "/"})
    assert response.headers["location"] == "/"
    assert str(draft_id) not in ROW.findall(client.get("/").text)
    hidden = client.get("/", params={"status": "no_reply_needed", "relevance": "not_about"}).text
    assert ROW.findall(hidden) == [str(draft_id)] and "not about us: marked by alice" in hidden
    post(client, f"/mentions/{mention_id}/relevance", {"relevance": "about"}, page=f"/mentions/{mention_id}")
    with session_scope(engine) as session:
        draft = session.get(Draft, draft_id)
        assert draft.status == "pending" and "2023-55810" in draft.text
        assert session.get(Mention, mention_id).relevance_source == "agent"


@pytest.mark.browser
def test_n_marks_the_selected_mention_not_about_us_in_chromium(inbox, chromium):
    client, engine, (mention_id, draft_id) = inbox
    from .conftest import PASSWORD

    context = chromium.new_context(base_url=str(client.base_url))
    page = context.new_page()
    try:
        page.goto("/")
        page.fill("input[name=name]", "alice")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("button:has-text('Log in')")
        rows = page.locator("tr.row")
        position = [int(draft) for draft in ROW.findall(page.content())].index(draft_id)
        for _ in range(position + 1):
            page.keyboard.press("j")
        with page.expect_navigation():
            page.keyboard.press("n")
        assert str(draft_id) not in ROW.findall(page.content()) and rows.count() >= 1
    finally:
        context.close()
    with session_scope(engine) as session:
        assert session.get(Draft, draft_id).status == "no_reply_needed"
        assert session.get(Mention, mention_id).relevance == "not_about"
