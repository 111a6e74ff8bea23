"""Approved Google Play and App Store replies posted through the outbox to loopback fakes of both APIs
(publishing/store_apis.py: real HTTP, the documented request and response shapes, google-auth's real service-account
sign-in, an ES256 JWT checked with the team key's public half): exactly once, counted at the fake, even when the
publisher dies between claim and send or between send and mark; a refused credential is never retried, a rate
limit is, a review deleted meanwhile fails the reply with the reason."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from drafting.decisions import DecisionError, approve
from publishing.pipeline import publish_pending
from publishing.store_apis import StoreAPIs
from store.db import session_scope
from store.models import Draft, OutboxMessage, utcnow

from tests.drafting.helpers import add_draft, add_mention, demo_config
from tests.publishing.crashes import Crash, crashing
from tests.store_fakes import APP_ID, ISSUER, KEY_ID, PACKAGE, apis, apple_key  # noqa: F401  (fixtures)

NOTHING = {"sent": 0, "recovered": 0, "failed": 0, "retrying": 0, "uncertain": 0}
PLAY_REPLY = "Dobrý den, omlouváme se. Oprava je ve verzi 2.1.5, aktualizujte prosím aplikaci. Tým Nokia Care"
APPLE_REPLY = "Thank you for the report. Version 2.1.5 fixes the restart while charging; please update. Nokia Care"

@pytest.fixture
def config(make_config, apis):
    return demo_config(make_config, sources=[
        {"name": "nokia-care-android", "type": "googleplay", "brand": "Nokia", "url": apis.url,
         "options": {"package_name": PACKAGE}},
        {"name": "nokia-care-ios", "type": "appstore", "brand": "Nokia", "url": apis.url,
         "options": {"app_id": APP_ID, "key_id": KEY_ID, "issuer_id": ISSUER}},
    ])


def approve_reply(engine, config, platform: str) -> int:
    source, source_type, external_id, text, language = {
        "play": ("nokia-care-android", "googleplay", "gp:AOqpTOGaR1", PLAY_REPLY, "cs"),
        "apple": ("nokia-care-ios", "appstore", "00000035-d8a7-6b01-a1b2-000000000001", APPLE_REPLY, "en"),
    }[platform]
    with session_scope(engine) as session:
        mention = add_mention(session, "Restarts while charging", sentiment="negative", rating=1, language=language,
                              source=source, source_type=source_type, external_id=external_id)
        draft_id = add_draft(session, mention)
        approve(session, draft_id, "eva", text, config=config)
        return draft_id


REPLY_PATH = {"play": ":reply", "apple": "/v1/customerReviewResponses"}
READ_BACK = {"play": "/reviews/gp", "apple": "/v1/customerReviews/"}


def posts(apis: StoreAPIs) -> int:
    return apis.count("POST", REPLY_PATH["play"]) + apis.count("POST", REPLY_PATH["apple"])


def make_due(engine) -> None:
    """The outbox's back-off is over (or, for a failed reply, would be: nothing else may send it)."""
    with session_scope(engine) as session:
        session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))


def outcome(engine, draft_id: int) -> tuple[str, str | None, str | None]:
    with session_scope(engine) as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.draft_id == draft_id))
        return session.get(Draft, draft_id).status, row.external_id, row.error


def publish_answered_with(engine, config, apis, platform: str, http_status: int) -> tuple[int, dict, str, str]:
    """Approve a reply and publish it while the platform answers the post with `http_status`: (draft id, the
    publisher's counts, the draft's status, the outbox row's error)."""
    draft_id = approve_reply(engine, config, platform)
    apis.fail_next(REPLY_PATH[platform], http_status)
    counts = publish_pending(engine, config)
    status, _, error = outcome(engine, draft_id)
    return draft_id, counts, status, error


@pytest.mark.parametrize("platform", ["play", "apple"])
def test_an_approved_store_reply_is_posted_once_and_marked_sent(engine, config, apis, platform):
    draft_id = approve_reply(engine, config, platform)
    assert publish_pending(engine, config) == {**NOTHING, "sent": 1}
    assert publish_pending(engine, config) == NOTHING
    if platform == "play":
        assert apis.play_reply(PACKAGE, "gp:AOqpTOGaR1") == PLAY_REPLY + "\n\neva z týmu Nokia" and apis.count("POST", ":reply") == 1
        assert outcome(engine, draft_id)[:2] == ("sent", "gp:AOqpTOGaR1:reply")
    else:
        assert apis.apple_response(APP_ID, "00000035-d8a7-6b01-a1b2-000000000001") == APPLE_REPLY + "\n\neva from Nokia"
        assert apis.count("POST", "/v1/customerReviewResponses") == 1
        assert outcome(engine, draft_id)[:2] == ("sent", "resp-00000035-d8a7-6b01-a1b2-000000000001")


@pytest.mark.parametrize("platform", ["play", "apple"])
@pytest.mark.parametrize("when", ["before send", "after send"])
def test_a_publisher_dying_mid_send_never_posts_twice(engine, config, apis, platform, when):
    draft_id = approve_reply(engine, config, platform)
    with pytest.raises(Crash):
        publish_pending(engine, config, connector_for=crashing(when))
    assert outcome(engine, draft_id)[0] == "approved"
    assert publish_pending(engine, config) == NOTHING  # the claim is fresh: the first publisher may still be sending

    counts = publish_pending(engine, config, lease=timedelta(0))  # taken over after reading the review back
    assert posts(apis) == 1
    assert counts == ({**NOTHING, "sent": 1} if when == "before send" else {**NOTHING, "recovered": 1})
    assert outcome(engine, draft_id)[0] == "sent"


@pytest.mark.parametrize("platform", ["play", "apple"])
def test_a_rate_limit_is_retried_later_and_posts_once(engine, config, apis, platform):
    draft_id, counts, status, error = publish_answered_with(engine, config, apis, platform, 429)
    assert counts == {**NOTHING, "retrying": 1} and status == "approved" and "HTTP 429" in error
    assert publish_pending(engine, config) == NOTHING  # not before its back-off
    make_due(engine)
    assert publish_pending(engine, config) == {**NOTHING, "sent": 1}
    assert posts(apis) == 2  # the refused one and the one that went through
    assert apis.count("GET", READ_BACK[platform]) == 1  # the review read back before sending again
    assert outcome(engine, draft_id)[0] == "sent"


@pytest.mark.parametrize("platform", ["play", "apple"])
def test_refused_credentials_fail_the_reply_and_are_never_retried(engine, config, apis, platform):
    _, counts, status, error = publish_answered_with(engine, config, apis, platform, 401)
    assert counts == {**NOTHING, "failed": 1} and status == "failed" and "refused the credentials" in error
    assert ("GOOGLE_PLAY_SERVICE_ACCOUNT" if platform == "play" else "APP_STORE_CONNECT_KEY") in error
    make_due(engine)
    assert publish_pending(engine, config) == NOTHING
    assert posts(apis) == 1


@pytest.mark.parametrize("platform", ["play", "apple"])
def test_a_review_deleted_meanwhile_fails_the_reply_with_the_reason(engine, config, apis, platform):
    draft_id = approve_reply(engine, config, platform)
    (apis.play[PACKAGE] if platform == "play" else apis.apple[APP_ID]).clear()
    assert publish_pending(engine, config) == {**NOTHING, "failed": 1}
    status, _, error = outcome(engine, draft_id)
    assert status == "failed" and "deleted meanwhile" in error


def test_a_reply_longer_than_google_play_takes_cannot_be_approved(engine, config):
    with pytest.raises(DecisionError, match="351 characters: over the 350 allowed on googleplay"):
        with session_scope(engine) as session:
            mention = add_mention(session, "Restarts", sentiment="negative", rating=1, source="nokia-care-android",
                                  source_type="googleplay", external_id="gp:long")
            approve(session, add_draft(session, mention), "eva", "x" * 351, config=config)


def test_the_demo_approves_one_play_and_one_app_store_reply_and_posts_them_once(engine, make_config):
    from publishing.demo import DEMO_AGENT, run_demo_store_replies

    config = demo_config(make_config, sources=[
        {"name": "nokia-care-android", "type": "googleplay", "brand": "Nokia", "path": "reviews.json",
         "options": {"package_name": PACKAGE}},
        {"name": "nokia-care-ios", "type": "appstore", "brand": "Nokia", "path": "reviews-ios.json",
         "options": {"app_id": APP_ID, "country": "cz"}},
    ])
    with session_scope(engine) as session:
        for source, source_type in (("nokia-care-android", "googleplay"), ("nokia-care-ios", "appstore")):
            for number in (1, 2):
                mention = add_mention(session, f"Restarts while charging {number}", sentiment="negative", rating=1,
                                      source=source, source_type=source_type, external_id=f"{source_type}-{number}")
                add_draft(session, mention, f"Sorry, a fix is coming ({number}). Nokia Care", priority=number)
    first = run_demo_store_replies(engine, config)
    assert (first["approved"], first["published"], first["posted"]) == (2, {**NOTHING, "sent": 2}, 2)
    again = run_demo_store_replies(engine, config)
    assert (again["approved"], again["published"]["sent"], again["posted"]) == (0, 0, 0)
    with session_scope(engine) as session:
        decided = {(d.mention.source_type, d.mention.external_id, d.status, d.decided_by)
                   for d in session.scalars(select(Draft).where(Draft.status != "pending"))}
    assert decided == {("googleplay", "googleplay-2", "sent", DEMO_AGENT), ("appstore", "appstore-2", "sent", DEMO_AGENT)}
