"""Publishing approved replies through the real PRAW client against a loopback fake Reddit that keeps what
is posted: exactly once, even when the publisher dies between claim, send and mark."""
from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from connectors import get_connector
from connectors.reddit_replay import Recorded, ReplayServer
from drafting.decisions import DecisionError, approve, audit_log, retry, undo_approval
from drafting.pipeline import draft_mentions
from publishing.pipeline import publish_pending
from store.db import session_scope
from store.models import Draft, OutboxMessage, utcnow

from tests.drafting.helpers import add_mention, demo_config
from tests.publishing.crashes import Crash, crashing

ACCOUNT = ("NokiaCare", "correct horse")
NOTHING = {"sent": 0, "recovered": 0, "failed": 0, "retrying": 0, "uncertain": 0}


class FakeReddit(ReplayServer):
    """Answers what the publisher asks: who am I, post a comment, my newest comments."""

    def __init__(self):
        super().__init__(user=ACCOUNT)
        self.comments: list[dict] = []  # what the account has posted, oldest first
        self.refuse_with: list | None = None  # a Reddit API error for the next POST

    def answer(self, seen):
        self.requests.append(seen)
        path = seen.path.rstrip("/")
        if path == "/api/v1/me":
            return _json({"name": ACCOUNT[0], "id": "care1"})
        if path == f"/user/{ACCOUNT[0]}/comments":
            return _json({"kind": "Listing", "data": {"children": self.comments[::-1], "after": None, "before": None}})
        if seen.method == "POST" and path == "/api/comment":
            if self.refuse_with:
                errors, self.refuse_with = [self.refuse_with], None
                return _json({"json": {"errors": errors}})
            comment = {"kind": "t1", "data": {
                "id": f"c{len(self.comments) + 1}", "name": f"t1_c{len(self.comments) + 1}", "body": seen.form["text"],
                "parent_id": seen.form["thing_id"], "link_id": seen.form["thing_id"], "author": ACCOUNT[0],
                "subreddit": "Nokia", "created_utc": time.time()}}
            self.comments.append(comment)
            return _json({"json": {"errors": [], "data": {"things": [comment]}}})
        return _json({"message": "Not Found"}, 404)

    def posts(self) -> int:
        return sum(1 for request in self.requests if request.method == "POST" and request.path.rstrip("/") == "/api/comment")


def _json(body, status=200) -> Recorded:
    return Recorded(status, json.dumps(body).encode(), {"content-type": "application/json; charset=UTF-8"})


@pytest.fixture
def reddit(monkeypatch):
    server = FakeReddit()
    server.start()
    for name, value in (("REDDIT_CLIENT_ID", "id"), ("REDDIT_CLIENT_SECRET", "secret"), ("REDDIT_USER_AGENT", "careloop-tests"),
                        ("REDDIT_USERNAME", ACCOUNT[0]), ("REDDIT_PASSWORD", ACCOUNT[1])):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDDIT_REFRESH_TOKEN", raising=False)
    yield server
    server.stop()


@pytest.fixture
def config(make_config, reddit):
    return demo_config(make_config, sources=[
        {"name": "reddit-nokia", "type": "reddit", "options": {"oauth_url": reddit.url, "reddit_url": reddit.url}},
        {"name": "heureka-cz", "type": "heureka", "url": "https://example.com/heureka.xml", "brand": "Nokia"},
    ])


@pytest.fixture
def approved(engine, config):
    """An approved reply to a Reddit post, and one to a Heureka review (manual)."""
    with session_scope(engine) as session:
        add_mention(session, "My Nokia G42 restarts while charging since the update", sentiment="negative",
                    source="reddit-nokia", source_type="reddit", external_id="t3_g42boot")
        add_mention(session, "Rozbité balení", sentiment="negative", language="cs", rating=1, source="heureka-cz",
                    source_type="heureka")
        draft_mentions(session, config)
        for draft in session.scalars(select(Draft)):
            approve(session, draft.id, "eva")
        return session.scalar(select(Draft).where(Draft.mention.has(source_type="reddit"))).id


def test_approved_reddit_reply_is_posted_once_and_marked_sent(engine, config, reddit, approved):
    assert publish_pending(engine, config) == {**NOTHING, "sent": 1}
    assert publish_pending(engine, config) == NOTHING

    assert reddit.posts() == 1
    posted = reddit.comments[0]["data"]
    assert posted["parent_id"] == "t3_g42boot" and "2.1.4" in posted["body"]
    with session_scope(engine) as session:
        draft = session.get(Draft, approved)
        assert (draft.status, draft.external_reply_id, draft.decided_by) == ("sent", "t1_c1", "eva")
        assert audit_log(session, draft.mention_id)[-1].action == "sent"
        manual = session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "manual"))
        assert manual.status == "manual"  # the Heureka reply waits for an agent, never posted anywhere


@pytest.mark.parametrize("when", ["before send", "after send"])
def test_a_publisher_dying_mid_send_never_double_posts(engine, config, reddit, approved, when):
    with pytest.raises(Crash):
        publish_pending(engine, config, connector_for=crashing(when))
    with session_scope(engine) as session:
        assert session.scalar(select(OutboxMessage).where(OutboxMessage.draft_id == approved)).status == "claimed"

    # Another publisher while the claim is fresh leaves it alone: the first one may still be sending.
    assert publish_pending(engine, config) == NOTHING
    # Once the lease is over, the claim is taken over after asking Reddit whether the reply is there.
    counts = publish_pending(engine, config, lease=timedelta(0))

    assert reddit.posts() == 1 and len(reddit.comments) == 1
    assert counts == ({**NOTHING, "sent": 1} if when == "before send" else {**NOTHING, "recovered": 1})
    with session_scope(engine) as session:
        draft = session.get(Draft, approved)
        assert (draft.status, draft.external_reply_id) == ("sent", "t1_c1")


def test_a_refused_reply_is_shown_failed_and_a_retry_posts_it(engine, config, reddit, approved):
    reddit.refuse_with = ["THREAD_LOCKED", "that thread is locked", "parent"]
    assert publish_pending(engine, config)["failed"] == 1
    with session_scope(engine) as session:
        draft = session.get(Draft, approved)
        outbox = session.scalar(select(OutboxMessage).where(OutboxMessage.draft_id == approved))
        assert draft.status == "failed" and "THREAD_LOCKED" in outbox.error
        assert audit_log(session, draft.mention_id)[-1].note == outbox.error
        retry(session, approved, "eva")

    assert publish_pending(engine, config) == {**NOTHING, "sent": 1}
    assert len(reddit.comments) == 1
    with session_scope(engine) as session:
        assert session.get(Draft, approved).status == "sent"


def _reddit_draft(engine, config) -> int:
    with session_scope(engine) as session:
        add_mention(session, "My Nokia G42 restarts while charging since the update", sentiment="negative",
                    source="reddit-nokia", source_type="reddit", external_id="t3_g42undo")
        draft_mentions(session, config)
        return session.scalar(select(Draft.id))


def test_a_reply_approved_in_the_inbox_waits_for_its_undo_window(engine, config, reddit):
    """The inbox approves with a window (inbox.undo_seconds): no publisher takes the row before not_before."""
    draft_id = _reddit_draft(engine, config)
    with session_scope(engine) as session:
        approve(session, draft_id, "eva", undo_window=timedelta(seconds=10))
        row = session.scalar(select(OutboxMessage))
        assert timedelta(seconds=9) < row.not_before - row.created_at <= timedelta(seconds=10)
    assert publish_pending(engine, config) == NOTHING
    assert reddit.posts() == 0
    assert publish_pending(engine, config, now=utcnow() + timedelta(seconds=11)) == {**NOTHING, "sent": 1}
    assert reddit.posts() == 1


def test_an_approval_undone_in_its_window_is_never_posted_and_can_be_approved_again(engine, config, reddit):
    draft_id = _reddit_draft(engine, config)
    with session_scope(engine) as session:
        approve(session, draft_id, "eva", undo_window=timedelta(seconds=10))
    with session_scope(engine) as session:
        assert undo_approval(session, draft_id, "eva").status == "pending"
    assert publish_pending(engine, config, now=utcnow() + timedelta(minutes=5)) == NOTHING
    assert reddit.posts() == 0
    with session_scope(engine) as session:
        assert session.scalar(select(OutboxMessage)) is None
        log = audit_log(session, session.get(Draft, draft_id).mention_id)
        assert [(event.action, event.from_status, event.to_status) for event in log][-2:] == [
            ("approved", "pending", "approved"), ("approval_undone", "approved", "pending")]
        approve(session, draft_id, "eva")  # the key "reply:<draft>" is free again
    assert publish_pending(engine, config) == {**NOTHING, "sent": 1}
    assert reddit.posts() == 1


def test_undo_after_the_window_is_refused_and_the_reply_goes_out(engine, config, reddit):
    draft_id = _reddit_draft(engine, config)
    with session_scope(engine) as session:
        approve(session, draft_id, "eva", undo_window=timedelta(milliseconds=50))
    time.sleep(0.1)
    with session_scope(engine) as session, pytest.raises(DecisionError, match="too late to undo .* undo window is over"):
        undo_approval(session, draft_id, "eva")
    assert publish_pending(engine, config) == {**NOTHING, "sent": 1}
    with session_scope(engine) as session:
        assert session.get(Draft, draft_id).status == "sent"
