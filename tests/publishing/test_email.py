"""E-mail through the outbox to a real SMTP server on loopback (aiosmtpd): what arrives, and what happens when the
server refuses, defers or rejects."""
from __future__ import annotations

import base64
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from publishing.channels.email import SmtpChannel
from publishing.outbox import deliver, enqueue
from store.db import session_scope
from store.models import OutboxMessage, Suppression
from store.outreach import email_hash
from tests.conftest import email_settings
from tests.drafting.helpers import demo_config

PIXEL = base64.b64encode(bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                       "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()


class Crash(BaseException):
    pass


@pytest.fixture
def config(make_config, smtp_sink):
    return demo_config(make_config, email=email_settings(smtp_sink), outbox={"retry_seconds": 0, "max_attempts": 4})


def _mail(engine, key, to="jana@example.com", **payload):
    with session_scope(engine) as session:
        enqueue(session, key=key, kind="notice", channel="email", payload={
            "to": to, "to_name": "Jana Nováková", "subject": "Výpadek přihlášení\r\nBcc: evil@example.com",
            "text": "Dobrý den, víme o problému.", **payload})


def _statuses(engine):
    with session_scope(engine) as session:
        return {row.key: (row.status, row.error) for row in session.scalars(select(OutboxMessage))}


def test_html_with_inline_images_one_click_unsubscribe_and_headers(engine, config, smtp_sink):
    _mail(engine, "notice:1", html='<p>Víme o tom.</p><img src="cid:chart1">',
          images=[{"cid": "chart1", "content_type": "image/png", "data": PIXEL, "filename": "chart.png"}],
          unsubscribe_url="https://care.example.com/public/unsubscribe/TOKEN")
    assert deliver(engine, config, kinds=["notice"])["sent"] == 1
    [received] = smtp_sink.messages()
    assert received["To"] == "Jana Nováková <jana@example.com>" and received["From"] == "Nokia Care <care@example.com>"
    assert received["Subject"] == "Výpadek přihlášení Bcc: evil@example.com"  # one line: no header injection
    assert received["Bcc"] is None
    assert received["List-Unsubscribe"] == "<https://care.example.com/public/unsubscribe/TOKEN>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with session_scope(engine) as session:
        assert session.scalar(select(OutboxMessage.external_id)) == received["Message-ID"]
    assert received.get_content_type() == "multipart/alternative"
    text, related = received.get_payload()
    assert text.get_content() .strip() == "Dobrý den, víme o problému."
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert 'src="cid:chart1"' in html.get_content()
    assert image.get_content_type() == "image/png" and image["Content-ID"] == "<chart1>"
    assert image.get_content() == base64.b64decode(PIXEL)


def test_refused_connections_then_recovery_deliver_everything_once(engine, config, smtp_sink):
    for index in range(3):
        _mail(engine, f"notice:{index}", to=f"person{index}@example.com")
    smtp_sink.stop()
    try:
        assert deliver(engine, config, kinds=["notice"])["retrying"] == 1  # the first one finds the server gone
        assert {status for status, _ in _statuses(engine).values()} == {"queued"}
        assert "cannot reach SMTP server" in _statuses(engine)["notice:0"][1]
    finally:
        smtp_sink.start()
    assert deliver(engine, config, kinds=["notice"])["sent"] == 3
    assert deliver(engine, config, kinds=["notice"])["sent"] == 0
    assert sorted(message["To"] for message in smtp_sink.messages()) == [
        f"Jana Nováková <person{index}@example.com>" for index in range(3)]


def test_a_4xx_is_retried_and_delivered_once(engine, config, smtp_sink):
    _mail(engine, "notice:1")
    smtp_sink.fail_next("RCPT", "451 4.7.1 greylisted, try again later")
    smtp_sink.fail_next("DATA", "452 4.3.1 insufficient system storage")
    counts = deliver(engine, config, kinds=["notice"])
    assert (counts["sent"], counts["retrying"]) == (1, 2)
    assert smtp_sink.count == 1
    with session_scope(engine) as session:
        assert session.scalar(select(OutboxMessage.attempts)) == 3


def test_a_5xx_fails_without_retry_and_suppresses_the_address(engine, config, smtp_sink):
    _mail(engine, "notice:1", to="Gone@Example.com")
    _mail(engine, "notice:2", to="here@example.com")
    smtp_sink.refuse_rcpt["gone@example.com"] = "550 5.1.1 mailbox unavailable"
    counts = deliver(engine, config, kinds=["notice"])
    assert (counts["sent"], counts["failed"], counts["retrying"]) == (1, 1, 0)
    status, error = _statuses(engine)["notice:1"]
    assert status == "failed" and "550 to RCPT TO: 5.1.1 mailbox unavailable" in error
    with session_scope(engine) as session:
        assert session.get(Suppression, email_hash("gone@example.com")).reason == "bounced"
        assert session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.key == "notice:1")) == 1
    assert deliver(engine, config, kinds=["notice"]) == {"sent": 0, "recovered": 0, "failed": 0, "retrying": 0, "uncertain": 0}


@pytest.mark.parametrize("crash_at", ["between claim and send", "between send and mark"])
def test_a_crash_never_sends_an_email_twice(engine, config, smtp_sink, crash_at):
    _mail(engine, "notice:1")
    channel = SmtpChannel(config.email)

    class Dying(SmtpChannel):
        def send(self, message):
            if crash_at == "between send and mark":
                channel.send(message)
            raise Crash

    def compose(session, row):
        if crash_at == "between claim and send":
            raise Crash
        return row.payload

    with pytest.raises(Crash):
        deliver(engine, config, kinds=["notice"], channels={"email": Dying(config.email)}, compose=compose)
    channel.close()
    counts = deliver(engine, config, kinds=["notice"], lease=timedelta(0))
    assert smtp_sink.count == 1
    status, error = _statuses(engine)["notice:1"]
    if crash_at == "between claim and send":
        assert counts["sent"] == 1 and status == "sent"
    else:
        assert counts["uncertain"] == 1 and status == "uncertain" and "may have been delivered" in error
        deliver(engine, config, kinds=["notice"], lease=timedelta(0))
        assert smtp_sink.count == 1


def test_rate_limit_spaces_messages(engine, make_config, smtp_sink):
    config = demo_config(make_config, email=email_settings(smtp_sink, rate_per_minute=600))
    for index in range(4):
        _mail(engine, f"notice:{index}", to=f"p{index}@example.com")
    started = time.monotonic()
    assert deliver(engine, config, kinds=["notice"])["sent"] == 4
    assert time.monotonic() - started >= 0.3  # 600 a minute: one every 0.1 s
