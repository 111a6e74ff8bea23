"""The outbox with the recording channel: one row per key, retries with back-off for temporary errors, permanent
errors failed at once, a crash after the send began leaves the message uncertain, kinds are delivered apart."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from careloop.errors import PermanentError, TemporaryError
from publishing.channels import ChannelDown, RecordingChannel
from publishing.outbox import counts_by_status, deliver, drop, enqueue, resend
from store.db import session_scope
from store.models import OutboxMessage
from tests.drafting.helpers import demo_config

NOTHING = {"sent": 0, "recovered": 0, "failed": 0, "retrying": 0, "uncertain": 0}


class Crash(BaseException):
    """The process dying mid-delivery."""


@pytest.fixture
def config(make_config):
    return demo_config(make_config, outbox={"retry_seconds": 0, "max_attempts": 3})


def _queue(engine, *keys, kind="alert", channel="recording"):
    with session_scope(engine) as session:
        return [enqueue(session, key=key, kind=kind, channel=channel, payload={"text": key}) for key in keys]


def _rows(engine) -> dict[str, OutboxMessage]:
    with session_scope(engine) as session:
        return {row.key: row for row in session.scalars(select(OutboxMessage))}


def test_a_key_is_queued_once_and_sent_once(engine, config):
    assert _queue(engine, "a", "b", "a") == [True, True, False]
    channel = RecordingChannel()
    assert deliver(engine, config, kinds=["alert"], channels={"recording": channel}) == {**NOTHING, "sent": 2}
    assert deliver(engine, config, kinds=["alert"], channels={"recording": channel}) == NOTHING
    assert [message.key for message in channel.sent] == ["a", "b"]
    rows = _rows(engine)
    assert {row.status for row in rows.values()} == {"sent"} and rows["a"].external_id == "recording-1"


def test_temporary_errors_are_retried_with_back_off_permanent_ones_never(engine, config, make_config):
    _queue(engine, "flaky", "broken", "hopeless")
    channel = RecordingChannel()
    channel.fail("flaky", TemporaryError("451 later"))
    channel.fail("broken", PermanentError("550 no such user"))
    channel.fail("hopeless", *[TemporaryError("451 later")] * 3)
    counts = deliver(engine, config, kinds=["alert"], channels={"recording": channel})
    rows = _rows(engine)
    # flaky: 451, then sent on its second try; broken: 550, failed at once; hopeless: 451 three times, gave up.
    assert counts == {**NOTHING, "sent": 1, "failed": 2, "retrying": 3}
    assert (rows["flaky"].status, rows["flaky"].attempts) == ("sent", 2)
    assert (rows["broken"].status, rows["broken"].attempts) == ("failed", 1) and "550 no such user" in rows["broken"].error
    assert rows["hopeless"].status == "failed" and rows["hopeless"].error.startswith("gave up after 3 attempts")

    # With a real back-off the retry waits: nothing is due right after a temporary error.
    slow = demo_config(make_config, outbox={"retry_seconds": 600})
    _queue(engine, "later")
    channel.fail("later", TemporaryError("421 busy"))
    assert deliver(engine, slow, kinds=["alert"], channels={"recording": channel})["retrying"] == 1
    assert deliver(engine, slow, kinds=["alert"], channels={"recording": channel}) == NOTHING
    later = _rows(engine)["later"]
    assert later.status == "queued" and timedelta(seconds=590) < later.next_attempt_at - later.created_at < timedelta(seconds=610)


def test_a_channel_that_is_down_charges_no_attempt_and_is_left_alone(engine, config):
    _queue(engine, "one", "two")
    channel = RecordingChannel()
    channel.fail(None, ChannelDown("cannot reach SMTP server"))
    assert deliver(engine, config, kinds=["alert"], channels={"recording": channel}) == {**NOTHING, "retrying": 1}
    assert {row.attempts for row in _rows(engine).values()} == {0}
    assert deliver(engine, config, kinds=["alert"], channels={"recording": channel})["sent"] == 2


@pytest.mark.parametrize("crash_at", ["before sending", "after sending"])
def test_a_crash_never_sends_twice(engine, config, crash_at):
    _queue(engine, "notice-1")
    channel = RecordingChannel()

    def compose(session, row):
        if crash_at == "before sending":
            raise Crash
        return row.payload

    class DiesAfterSending(RecordingChannel):
        def send(self, message):
            channel.send(message)
            raise Crash

    dying = DiesAfterSending() if crash_at == "after sending" else channel
    with pytest.raises(Crash):
        deliver(engine, config, kinds=["alert"], channels={"recording": dying}, compose=compose)
    assert _rows(engine)["notice-1"].status == "claimed"
    # A fresh claim may still be at work: left alone until its lease is over.
    assert deliver(engine, config, kinds=["alert"], channels={"recording": channel}) == NOTHING
    counts = deliver(engine, config, kinds=["alert"], channels={"recording": channel}, lease=timedelta(0))

    row = _rows(engine)["notice-1"]
    assert len(channel.sent) == 1
    if crash_at == "before sending":
        assert counts == {**NOTHING, "sent": 1} and row.status == "sent"
    else:
        assert counts == {**NOTHING, "uncertain": 1} and row.status == "uncertain" and "resend or drop" in row.error.lower()
        assert deliver(engine, config, kinds=["alert"], channels={"recording": channel}, lease=timedelta(0)) == NOTHING
        with session_scope(engine) as session:
            drop(session, row.id, "root")
        assert _rows(engine)["notice-1"].error.startswith("drop by root")


def test_an_admin_resends_an_uncertain_message(engine, config):
    _queue(engine, "maybe")
    with session_scope(engine) as session:
        row = session.scalar(select(OutboxMessage))
        row.status, row.error = "uncertain", "connection lost while handing over"
    channel = RecordingChannel()
    assert deliver(engine, config, kinds=["alert"], channels={"recording": channel}) == NOTHING
    with session_scope(engine) as session:
        resend(session, row.id, "root")
    assert deliver(engine, config, kinds=["alert"], channels={"recording": channel})["sent"] == 1
    with session_scope(engine) as session, pytest.raises(LookupError, match="it is sent"):
        resend(session, row.id, "root")


def test_kinds_are_delivered_apart_and_counted_with_every_status(engine, config):
    _queue(engine, "digest-1", kind="digest")
    _queue(engine, "notice-1", kind="notice")
    with session_scope(engine) as session:
        enqueue(session, key="notice-2", kind="notice", channel="recording", payload={}, status="skipped_policy",
                error="2 messages in the last 30 days (contact_policy.max_per_window 2)")
    channel = RecordingChannel()
    assert deliver(engine, config, kinds=["notice"], channels={"recording": channel})["sent"] == 1
    assert [message.key for message in channel.sent] == ["notice-1"]
    with session_scope(engine) as session:
        notices = counts_by_status(session, ["notice"])
        assert notices == {"queued": 0, "claimed": 0, "sent": 1, "failed": 0, "uncertain": 0, "skipped_policy": 1,
                           "skipped_consent": 0, "skipped_unsubscribed": 0}
        assert counts_by_status(session, ["digest"])["queued"] == 1
