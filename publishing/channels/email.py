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
import time
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr

from careloop.config import EmailSettings
from careloop.errors import PermanentError, TemporaryError

from .base import Channel, ChannelConfigError, ChannelDown, DeliveryUncertain, Message, RecipientRefused


def _one_line(text: str) -> str:
    return " ".join(str(text).split())  # no CR/LF can reach a header


def message_id(key: str, sender: str) -> str:
    """The same outbox key always gets the same Message-ID, so a receiver can recognise a resend."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "careloop.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def build_email(payload: dict, settings: EmailSettings, key: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.sender
    to_address = _one_line(payload["to"])
    try:
        email["To"] = formataddr((_one_line(payload.get("to_name") or ""), to_address)) if payload.get("to_name") \
            else Address(addr_spec=to_address)
    except (ValueError, IndexError) as exc:
        raise PermanentError(f"not an e-mail address: {to_address!r} ({exc})") from None
    email["Subject"] = _one_line(payload["subject"])
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message_id(key, settings.sender)
    if settings.reply_to:
        email["Reply-To"] = settings.reply_to
    if payload.get("unsubscribe_url"):
        email["List-Unsubscribe"] = f"<{_one_line(payload['unsubscribe_url'])}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # quoted-printable keeps the message 7-bit: any relay takes it, with or without 8BITMIME
    email.set_content(payload["text"], cte="quoted-printable")
    if payload.get("html"):
        email.add_alternative(payload["html"], subtype="html", cte="quoted-printable")
        html_part = email.get_payload()[1]
        for image in payload.get("images") or []:
            maintype, _, subtype = image["content_type"].partition("/")
            html_part.add_related(base64.b64decode(image["data"]), maintype=maintype, subtype=subtype,
                                  cid=f"<{image['cid']}>", disposition="inline", filename=image.get("filename"))
    return email


class SmtpChannel(Channel):
    name = "email"

    def __init__(self, settings: EmailSettings, *, sleep=time.sleep, clock=time.monotonic):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._sleep, self._clock = sleep, clock
        self._next_slot = 0.0

    def send(self, message: Message) -> str:
        email = build_email(message.payload, self.settings, message.key)
        self._wait_for_rate()
        smtp = self._connection()
        sender, recipient = parseaddr(self.settings.sender)[1], email["To"].addresses[0].addr_spec
        try:
            smtp.ehlo_or_helo_if_needed()
            self._expect(smtp.mail(sender), "MAIL FROM", None)
            self._expect(smtp.rcpt(recipient), "RCPT TO", recipient)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise TemporaryError(f"SMTP connection lost before the message was sent: {exc}") from None
        try:
            # smtplib sends bytes as given: the SMTP policy gives them CRLF line ends
            code, text = smtp.data(email.as_bytes(policy=policy.SMTP))
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
        return smtp

    def _wait_for_rate(self) -> None:
        if not self.settings.rate_per_minute:
            return
        now = self._clock()
        if self._next_slot > now:
            self._sleep(self._next_slot - now)
        self._next_slot = max(now, self._next_slot) + 60.0 / self.settings.rate_per_minute

    def _reset(self) -> None:
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        try:
            if smtp is not None:
                smtp.close()
        except OSError:
            pass

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
        self._drop()
