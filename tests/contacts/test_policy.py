"""The contact policy rule by rule: window, gap, exemptions, counting across kinds; then consent, unsubscription
and suppression, which no exemption overrides."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from contacts.policy import Gate
from publishing.outbox import enqueue
from store.db import session_scope
from store.models import utcnow
from store.outreach import suppress
from tests.drafting.helpers import demo_config

POLICY = {"window_days": 30, "max_per_window": 2, "min_gap_days": 3, "exempt": ["service"]}


def person(id=1, email="jana@example.com", **fields):
    values = {f"consent_{kind}": True for kind in ("service", "survey", "marketing")}
    values.update({f"unsubscribed_{kind}_at": None for kind in ("service", "survey", "marketing")}, **fields)
    return SimpleNamespace(id=id, email=email, **values)


def sent(session, contact_id, kind, days_ago, status="sent", key=None):
    at = utcnow() - timedelta(days=days_ago)
    enqueue(session, key=key or f"{kind}:{contact_id}:{days_ago}", kind=kind, channel="email", payload={},
            contact_id=contact_id, consent_kind=kind, status=status, created_at=at, sent_at=at if status == "sent" else None)


@pytest.fixture
def config(make_config):
    return demo_config(make_config, contact_policy=POLICY)


def check(engine, config, kind, contact=None):
    with session_scope(engine) as session:
        return Gate(session, config, kind).check(contact or person())


def test_window_allows_max_per_window_and_forgets_older_messages(sqlite_engine, config):
    with session_scope(sqlite_engine) as session:
        sent(session, 1, "survey", 20)
        sent(session, 1, "marketing", 10)
        sent(session, 1, "survey", 40)  # outside the 30-day window
    status, reason = check(sqlite_engine, config, "survey")
    assert status == "skipped_policy" and reason == "2 messages in the last 30 days (contact_policy.max_per_window is 2)"
    assert check(sqlite_engine, config, "survey", person(id=2, email="ivan@example.com")) == ("queued", None)


def test_gap_counts_every_kind_even_exempt_ones(sqlite_engine, config):
    with session_scope(sqlite_engine) as session:
        sent(session, 1, "service", 1)  # a notice yesterday (exempt) …
    status, reason = check(sqlite_engine, config, "survey")  # … still keeps a survey away today
    assert status == "skipped_policy" and reason == "last message 24 hours ago (contact_policy.min_gap_days is 3)"
    assert check(sqlite_engine, config, "service") == ("queued", None)  # exempt: not limited itself
    with session_scope(sqlite_engine) as session:
        sent(session, 2, "service", 4)
    assert check(sqlite_engine, config, "survey", person(id=2, email="b@example.com")) == ("queued", None)


def test_queued_and_uncertain_count_failed_and_skipped_do_not(sqlite_engine, config):
    with session_scope(sqlite_engine) as session:
        sent(session, 1, "survey", 10, status="queued")
        sent(session, 1, "survey", 12, status="uncertain")
        sent(session, 2, "survey", 10, status="failed")
        sent(session, 2, "survey", 12, status="skipped_policy")
    assert check(sqlite_engine, config, "marketing")[0] == "skipped_policy"
    assert check(sqlite_engine, config, "marketing", person(id=2, email="b@example.com")) == ("queued", None)


def test_one_send_cannot_reach_a_person_twice(sqlite_engine, config):
    with session_scope(sqlite_engine) as session:
        gate = Gate(session, config, "survey")
        assert gate.check(person()) == ("queued", None)
        assert gate.check(person())[0] == "skipped_policy"


def test_unsubscribed_suppressed_and_no_consent_beat_exemption(sqlite_engine, config):
    assert check(sqlite_engine, config, "service", person(unsubscribed_service_at=utcnow()))[0] == "skipped_unsubscribed"
    assert check(sqlite_engine, config, "service", person(consent_service=False)) == \
        ("skipped_consent", "no consent to service messages")
    assert check(sqlite_engine, config, "marketing", person(unsubscribed_service_at=utcnow())) == ("queued", None)
    with session_scope(sqlite_engine) as session:
        suppress(session, "JANA@example.com ", "complained")
    assert check(sqlite_engine, config, "service") == ("skipped_unsubscribed", "address suppressed (complained)")


def test_no_exemptions_means_service_is_limited_too(sqlite_engine, make_config):
    strict = demo_config(make_config, contact_policy={**POLICY, "exempt": []})
    with session_scope(sqlite_engine) as session:
        sent(session, 1, "survey", 1)
    assert check(sqlite_engine, strict, "service")[0] == "skipped_policy"
