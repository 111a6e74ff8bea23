"""A store review's conversation, through the App Store Connect fake (publishing/store_apis.py) into SQLite and
PostgreSQL: our reply is published, the customer edits the review after it, and someone edits our response in App
Store Connect. The edit comes back into the queue as a follow-up on the same review, and the mention page shows the
exchange in order: what they wrote, our reply as the store shows it now, what they wrote after it."""
from __future__ import annotations

import html

import httpx
from sqlalchemy import select, update

from drafting.decisions import approve
from drafting.pipeline import draft_mentions
from careloop.webapp import create_app
from inbox.users import add_user
from ingest.pipeline import ingest_source
from publishing.pipeline import publish_pending
from store.db import session_scope
from store.models import Draft, Mention
from tests.drafting.helpers import demo_config
from tests.inbox.conftest import PASSWORD, LiveServer, login
from tests.store_fakes import APP_ID, ISSUER, KEY_ID, apis, apple_key  # noqa: F401  (fixtures)

REVIEW = "00000035-d8a7-6b01-a1b2-000000000001"


def test_a_review_edited_after_our_reply_comes_back_as_the_same_conversation(engine, make_config, apis):
    config = demo_config(make_config, sources=[
        {"name": "nokia-care-ios", "type": "appstore", "brand": "Nokia", "url": apis.url,
         "options": {"app_id": APP_ID, "country": "cz", "key_id": KEY_ID, "issuer_id": ISSUER}}])
    source = config.sources[0]
    ingest_source(engine, config, source)
    with session_scope(engine) as session:
        add_user(session, "eva", "agent", PASSWORD, display_name="Eva")
        session.execute(update(Mention).values(sentiment_label="negative"))
        draft_mentions(session, config)
        reply = session.scalar(select(Draft))
        approve(session, reply.id, "eva", "Sorry about the restarts: 2.1.5 fixes them.", config=config)
        reply_id = reply.id
    assert publish_pending(engine, config)["sent"] == 1

    review = apis.apple[APP_ID][REVIEW]
    review["attributes"]["body"] = "2.1.5 did not fix it, it still restarts every night."
    review["response"]["attributes"]["responseBody"] = "Sorry about the restarts: 2.1.6 fixes them for good."
    assert ingest_source(engine, config, source).updated == 1

    with session_scope(engine) as session:
        session.execute(update(Mention).where(Mention.sentiment_label.is_(None)).values(sentiment_label="negative"))
        assert draft_mentions(session, config)["follow_ups_for_edits"] == 1
        follow_up = session.scalar(select(Draft).where(Draft.kind == "follow_up"))
        assert follow_up.status == "pending" and follow_up.campaign.startswith("edit:") and follow_up.text
        assert session.get(Draft, reply_id).status == "sent"  # our first reply stays what it was
        mention_id, follow_up_id = follow_up.mention_id, follow_up.id

    server = LiveServer(create_app(engine, config, session_secret="store-conversation-" + "s" * 32))
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert login(client, "eva").status_code == 303
            queue = client.get("/").text
            page = client.get(f"/mentions/{mention_id}?draft={follow_up_id}").text
    finally:
        server.close()
    assert f"draft={follow_up_id}" in queue  # in the queue, opening the follow-up on the same review
    exchange = page[page.index('id="conversation"'):page.index('<article class="mention">')]
    said = ["My phone restarts while charging since 2.1.4", "2.1.6 fixes them for good", "2.1.5 did not fix it"]
    positions = [exchange.index(html.escape(text, quote=False)) for text in said]
    assert positions == sorted(positions)
    assert exchange.count('class="said ours') == 1 and "edited on the platform" in exchange
    assert "2.1.5 fixes them." not in exchange  # the store shows the edited response, not the one we sent
