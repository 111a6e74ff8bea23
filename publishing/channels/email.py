"""E-mail over SMTP: one connection per delivery run, STARTTLS or SSL, login from the environment, a rate limit,
and messages built here from a payload (plain text, optional HTML with inline images, List-Unsubscribe).

Payload: `to`, `to_name` (optional), `subject`, `text`, `html` (optional), `images` (optional list of `cid`,
`content_type`, `data` base64: referenced from the HTML as `cid:<cid>`, sent as multipart/related),
`unsubscribe_url` (optional: List-Unsubscribe + List-Unsubscribe-Post, RFC 8058 one-click).

Errors: 4xx replies and refused or dropped connections are temporary (retried with back-off); a 5xx to RCPT fails
the message and suppresses the address; a 5xx to MAIL or DATA fails the message (a rejected content or sender, not
the address); a connection lost after the message was handed over makes it uncertain.
"""
from __future__ import annotations

import base64
import hashlib
import os
import smtplib
import ssl
import threading
import time
import re
from email import charset, encoders
from email.header import Header
from email.message import Message as Message_
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr

from careloop.config import EmailSettings
from careloop.errors import PermanentError, TemporaryError

from .base import Channel, ChannelConfigError, ChannelDown, DeliveryUncertain, Message, RecipientRefused

_ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+$")
_UTF8 = charset.Charset("utf-8")
_UTF8.body_encoding = charset.QP  # quoted-printable keeps the message 7-bit: any relay takes it, with or without 8BITMIME


def _one_line(text: str) -> str:
    return " ".join(str(text).split())  # no CR/LF can reach a header


def message_id(key: str, sender: str) -> str:
    """The same outbox key always gets the same Message-ID, so a receiver can recognise a resend."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "careloop.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def build_email(payload: dict, settings: EmailSettings, key: str) -> Message_:
    """The MIME message: text/plain, or multipart/alternative with the HTML (multipart/related when it has inline
    images). Built with the compat32 classes: the modern header registry cost ~5 ms a message, 10x this."""
    to_address = _one_line(payload["to"])
    if not _ADDRESS.match(to_address):
        raise PermanentError(f"not an e-mail address: {to_address!r}")
    text = MIMEText(payload["text"], "plain", _UTF8)
    if payload.get("html"):
        html = MIMEText(payload["html"], "html", _UTF8)
        if payload.get("images"):
            related = MIMEMultipart("related")
            related.attach(html)
            for image in payload["images"]:
                maintype, _, subtype = image["content_type"].partition("/")
                part = MIMEBase(maintype, subtype)
                part.set_payload(base64.b64decode(image["data"]))
                encoders.encode_base64(part)
                part["Content-ID"] = f"<{_one_line(image['cid'])}>"
                part.add_header("Content-Disposition", "inline", **({"filename": image["filename"]} if image.get("filename") else {}))
                related.attach(part)
            html = related
        email = MIMEMultipart("alternative")
        email.attach(text)
        email.attach(html)
    else:
        email = text
    email["From"] = formataddr(parseaddr(settings.sender), "utf-8")
    email["To"] = formataddr((_one_line(payload.get("to_name") or ""), to_address), "utf-8")
    email["Subject"] = Header(_one_line(payload["subject"]), "utf-8")
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message_id(key, settings.sender)
    if settings.reply_to:
        email["Reply-To"] = settings.reply_to
    if payload.get("unsubscribe_url"):
        email["List-Unsubscribe"] = f"<{_one_line(payload['unsubscribe_url'])}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return email


class SmtpChannel(Channel):
    """`email.connections` SMTP sessions at once (the outbox sends a batch in that many threads): each message
    waits for three replies, so one session leaves both the server and careloop idle most of the time."""

    name = "email"

    def __init__(self, settings: EmailSettings, *, sleep=time.sleep, clock=time.monotonic):
        self.settings = settings
        self.concurrency = settings.connections
        self._local = threading.local()
        self._open: list[smtplib.SMTP] = []
        self._lock = threading.Lock()
        self._sleep, self._clock = sleep, clock
        self._next_slot = 0.0

    @property
    def _smtp(self) -> smtplib.SMTP | None:
        return getattr(self._local, "smtp", None)

    @_smtp.setter
    def _smtp(self, smtp: smtplib.SMTP | None) -> None:
        self._local.smtp = smtp

    def send(self, message: Message) -> str:
        email = build_email(message.payload, self.settings, message.key)
        self._wait_for_rate()
        smtp = self._connection()
        sender, recipient = parseaddr(self.settings.sender)[1], _one_line(message.payload["to"])
        try:
            smtp.ehlo_or_helo_if_needed()
            self._expect(smtp.mail(sender), "MAIL FROM", None)
            self._expect(smtp.rcpt(recipient), "RCPT TO", recipient)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise TemporaryError(f"SMTP connection lost before the message was sent: {exc}") from None
        try:
            code, text = smtp.data(email.as_string())  # ASCII; smtplib makes the line ends CRLF
        except smtplib.SMTPDataError as exc:  # refused before the message was handed over
            code, text = exc.smtp_code, exc.smtp_error
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise DeliveryUncertain(f"SMTP connection lost while the message was handed over: {exc}") from None
        if code != 250:
            self._reset()
            raise self._error(code, text, "DATA", None)
        return email["Message-ID"]

    def _expect(self, reply: tuple[int, bytes], command: str, recipient: str | None) -> None:
        code, text = reply
        if code not in (250, 251):
            self._reset()
            raise self._error(code, text, command, recipient)

    @staticmethod
    def _error(code: int, text: bytes | str, command: str, recipient: str | None) -> Exception:
        reason = f"SMTP {code} to {command}: {text.decode(errors='replace') if isinstance(text, bytes) else text}"
        if 400 <= code < 500:
            return TemporaryError(reason)
        if recipient is not None:
            return RecipientRefused(reason, recipient)
        return PermanentError(reason)

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        settings = self.settings
        context = ssl.create_default_context()
        try:
            if settings.security == "ssl":
                smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_seconds, context=context)
            else:
                smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
                if settings.security == "starttls":
                    smtp.starttls(context=context)
            user = os.environ.get(settings.username_env)
            if user:
                smtp.login(user, os.environ.get(settings.password_env, ""))
        except smtplib.SMTPAuthenticationError as exc:
            raise ChannelDown(f"SMTP login as {os.environ.get(settings.username_env)!r} refused by {settings.host}: "
                              f"{exc.smtp_code}; check {settings.username_env} and {settings.password_env}") from None
        except smtplib.SMTPNotSupportedError as exc:
            raise ChannelConfigError(f"SMTP server {settings.host}:{settings.port} does not support it: {exc}; "
                                     f"check email.security") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelDown(f"cannot reach SMTP server {settings.host}:{settings.port}: {exc}") from None
        self._smtp = smtp
        with self._lock:
            self._open.append(smtp)
        return smtp

    def _wait_for_rate(self) -> None:
        if not self.settings.rate_per_minute:
            return
        with self._lock:  # one schedule for every session: the limit is per relay, not per connection
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + 60.0 / self.settings.rate_per_minute
        if slot > now:
            self._sleep(slot - now)

    def _reset(self) -> None:
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            with self._lock:
                if smtp in self._open:
                    self._open.remove(smtp)
            try:
                smtp.close()
            except OSError:
                pass

    def close(self) -> None:
        with self._lock:
            sessions, self._open = self._open, []
        for smtp in sessions:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            try:
                smtp.close()
            except OSError:
                pass
        self._smtp = None
