"""E-mail to a relay that requires encryption and a login, as production relays do: STARTTLS on the submission
port, TLS from the first byte on port 465, AUTH only over TLS. The relay is aiosmtpd on loopback with a
certificate from a test CA (trustme) that the client trusts through SSL_CERT_FILE, as an operator's private CA."""
from __future__ import annotations

import pytest

from careloop.config import EmailSettings
from publishing.channels.base import ChannelDown, Message
from publishing.channels.email import SmtpChannel
from publishing.sink import SmtpSink

USER, PASSWORD = "careloop@example.com", "s3cret-relay-password"


@pytest.fixture(scope="module")
def authority():
    import trustme

    return trustme.CA()


@pytest.fixture
def trusted(authority, tmp_path, monkeypatch):
    """The client trusts the test CA (and the relay's login is in the environment, as documented)."""
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setenv("CARELOOP_SMTP_USER", USER)
    monkeypatch.setenv("CARELOOP_SMTP_PASSWORD", PASSWORD)


def relay(authority, implicit_tls: bool = False) -> SmtpSink:
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(context)
    return SmtpSink(tls=context, implicit_tls=implicit_tls, login=(USER, PASSWORD)).start()


def send(sink: SmtpSink, security: str) -> str:
    channel = SmtpChannel(EmailSettings.model_validate({"host": "localhost", "port": sink.port, "security": security,
                                                        "from": "Nokia Care <care@example.com>", "timeout_seconds": 10}))
    try:
        return channel.send(Message(id=1, key="notice:tls", kind="notice", channel="email", payload={
            "to": "jana@example.com", "subject": "Výpadek", "text": "Dobrý den."}))
    finally:
        channel.close()


@pytest.mark.parametrize("security, implicit", [("starttls", False), ("ssl", True)])
def test_encrypted_relay_with_login_receives_the_message(authority, trusted, security, implicit):
    sink = relay(authority, implicit_tls=implicit)
    try:
        message_id = send(sink, security)
        [received] = sink.messages()
        assert received["Message-ID"] == message_id and received["Subject"] == "Výpadek"
        assert sink.sessions == [{"tls": True, "login": USER}]
    finally:
        sink.stop()


def test_a_wrong_password_is_refused_with_the_variables_to_fix_and_no_password(authority, trusted, monkeypatch):
    monkeypatch.setenv("CARELOOP_SMTP_PASSWORD", "wrong-password-123")
    sink = relay(authority)
    try:
        with pytest.raises(ChannelDown) as refused:
            send(sink, "starttls")
        assert "CARELOOP_SMTP_USER" in str(refused.value) and "CARELOOP_SMTP_PASSWORD" in str(refused.value)
        assert "wrong-password-123" not in str(refused.value) and sink.messages() == []
    finally:
        sink.stop()


def test_an_untrusted_certificate_sends_nothing(authority, trusted, monkeypatch):
    import trustme

    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent")  # the system's CAs only: the test CA is unknown
    sink = relay(trustme.CA())
    try:
        with pytest.raises(ChannelDown, match="certificate verify failed"):
            send(sink, "starttls")
        assert sink.messages() == []
    finally:
        sink.stop()
