"""Reading the store APIs against their loopback fakes (publishing/store_apis.py), through ingest and drafting into
SQLite and PostgreSQL: App Store Connect mode gives reviews with the ids replies go to and the developer's responses;
a response written or edited on the platform (App Store Connect, Play Console) is picked up on the next read;
without the team key the App Store's public feed stays read-only."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from connectors import ConnectorAuthError, get_connector
from drafting.decisions import approve
from drafting.pipeline import draft_mentions
from ingest.pipeline import ingest_source
from store.db import session_scope
from store.models import Draft, Mention, OutboxMessage, utcnow

from tests.drafting.helpers import add_draft, add_mention, demo_config
from tests.store_fakes import APP_ID, ISSUER, KEY_ID, PACKAGE, apis, apple_key  # noqa: F401  (fixtures)

ANSWERED = "00000035-d8a7-6b01-a1b2-000000000002"


@pytest.fixture
def config(make_config, apis):
    apis.apple[APP_ID][ANSWERED] = {
        "attributes": {"rating": 2, "title": "Slow repair", "body": "Nokia repair took three weeks",
                       "reviewerNickname": "petr", "territory": "CZE",
                       "createdDate": (utcnow() - timedelta(hours=2)).isoformat(timespec="seconds")},
        "response": {"type": "customerReviewResponses", "id": "resp-2", "attributes": {
            "responseBody": "Sorry, Petr: we have sped the repairs up.", "state": "PUBLISHED",
            "lastModifiedDate": utcnow().isoformat(timespec="seconds")}}}
    return demo_config(make_config, sources=[
        {"name": "nokia-care-ios", "type": "appstore", "brand": "Nokia", "url": apis.url,
         "options": {"app_id": APP_ID, "country": "cz", "key_id": KEY_ID, "issuer_id": ISSUER}},
        {"name": "nokia-care-ios-feed", "type": "appstore", "brand": "Nokia", "url": apis.url,
         "options": {"app_id": APP_ID, "country": "cz"}},
    ])


def mentions(engine) -> dict[str, Mention]:
    with session_scope(engine) as session:
        return {mention.external_id: mention for mention in session.scalars(select(Mention))}


def test_reviews_come_with_their_responses_and_answered_ones_get_no_draft(engine, config, apis):
    summary = ingest_source(engine, config, config.sources[0])
    assert summary.stored == 2
    stored = mentions(engine)
    assert set(stored) == {"00000035-d8a7-6b01-a1b2-000000000001", ANSWERED}  # the ids replies are addressed to
    answered = stored[ANSWERED]
    assert (answered.title, answered.author, answered.rating) == ("Slow repair", "petr", 2)
    assert answered.extra == {"territory": "CZE", "developer_reply": "Sorry, Petr: we have sped the repairs up.",
                              "developer_reply_state": "PUBLISHED"}
    assert answered.url == f"https://apps.apple.com/cz/app/id{APP_ID}?see-all=reviews"
    [listing] = [query for method, query in apis.requests if method == "GET" and query.endswith("/customerReviews")]

    with session_scope(engine) as session:
        session.execute(Mention.__table__.update().values(sentiment_label="negative"))
        draft_mentions(session, config)
        drafts = {draft.mention.external_id: draft for draft in session.scalars(select(Draft))}
        assert (drafts[ANSWERED].status, drafts[ANSWERED].reason) == (
            "no_reply_needed", "already answered: the developer's reply on the store")
        unanswered = drafts["00000035-d8a7-6b01-a1b2-000000000001"]
        assert unanswered.status == "pending"
        approve(session, unanswered.id, "eva", "Sorry about the restarts: 2.1.5 fixes them. Nokia Care", config=config)
        outbox = session.scalar(select(OutboxMessage).where(OutboxMessage.draft_id == unanswered.id))
        assert (outbox.channel, outbox.status) == ("appstore", "queued")  # posted by the publisher, not by hand


def test_a_response_edited_in_app_store_connect_is_picked_up_on_the_next_read(engine, config, apis):
    ingest_source(engine, config, config.sources[0])
    apis.apple[APP_ID][ANSWERED]["response"]["attributes"]["responseBody"] = "Update: repairs now take 5 days."
    ingest_source(engine, config, config.sources[0])
    assert mentions(engine)[ANSWERED].extra["developer_reply"] == "Update: repairs now take 5 days."
    assert len(mentions(engine)) == 2


def test_a_public_feed_source_cannot_reply_so_its_approved_replies_wait_for_an_agent(engine, config):
    assert not get_connector("appstore").can_reply(config.sources[1])
    with session_scope(engine) as session:
        mention = add_mention(session, "Crashes", sentiment="negative", rating=1, source="nokia-care-ios-feed",
                              source_type="appstore", external_id="11400000009")
        draft_id = add_draft(session, mention)
        approve(session, draft_id, "eva", "Sorry, we are on it. Nokia Care", config=config)
        outbox = session.scalar(select(OutboxMessage).where(OutboxMessage.draft_id == draft_id))
        assert (outbox.channel, outbox.status) == ("manual", "manual")


def test_a_key_the_api_refuses_names_what_to_check(config, apis, monkeypatch):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    monkeypatch.setenv("APP_STORE_CONNECT_KEY", other)
    with pytest.raises(ConnectorAuthError, match="HTTP 401.*check APP_STORE_CONNECT_KEY and options.key_id"):
        get_connector("appstore").fetch(config.sources[0], {}, [])
    monkeypatch.setenv("APP_STORE_CONNECT_KEY", "not a key")
    with pytest.raises(ConnectorAuthError, match="APP_STORE_CONNECT_KEY must hold the App Store Connect .p8 key"):
        get_connector("appstore").fetch(config.sources[0], {}, [])


def test_a_play_developer_reply_written_in_play_console_is_picked_up_on_the_next_read(engine, config, apis):
    play = {"name": "nokia-care-android", "type": "googleplay", "brand": "Nokia", "url": apis.url,
            "options": {"package_name": PACKAGE}}
    config = config.model_copy(update={"sources": [config.sources[0].model_validate(play)]})
    ingest_source(engine, config, config.sources[0])
    assert "developer_reply" not in mentions(engine)["gp:AOqpTOGaR1"].extra
    apis.play[PACKAGE]["gp:AOqpTOGaR1"]["comments"].append({"developerComment": {"text": "Fixed in 2.1.5."}})
    ingest_source(engine, config, config.sources[0])
    assert mentions(engine)["gp:AOqpTOGaR1"].extra["developer_reply"] == "Fixed in 2.1.5."
