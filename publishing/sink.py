"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives: where `careloop demo` and the notices
benchmark deliver, and what tests read back. Replies can be scripted (a 4xx once, a 5xx for one address), and it
can be stopped and started again on the same port (a relay that goes away and comes back)."""
from __future__ import annotations

import socket
import ssl
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from careloop.config import Config, EmailSettings


class SmtpSink:
    """`tls`: a server certificate context, offered by STARTTLS (required before MAIL) or, with `implicit_tls`,
    from the first byte as on port 465; `login`: the (user, password) AUTH must give, over TLS only. What each
    delivering session was — TLS or not, who logged in — is in `sessions`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, keep: bool = True, tls: ssl.SSLContext | None = None,
                 implicit_tls: bool = False, login: tuple[str, str] | None = None):
        self.host, self.keep = host, keep
        self.tls, self.implicit_tls, self.login = tls, implicit_tls, login
        self.sessions: list[dict] = []  # per accepted message: {"tls": bool, "login": str | None}
        self.port = port or _free_port(host)
        self.received: list[bytes] = []  # raw messages, when keep
        self.count = 0
        self.refuse_rcpt: dict[str, str] = {}  # address → reply, every time ("550 5.1.1 no such user")
        self.next_replies: dict[str, list[str]] = {"RCPT": [], "DATA": []}  # replies used once each, in turn
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> SmtpSink:
        # ready_timeout: the first start in a busy test run can take a few seconds
        options: dict = {}
        if self.tls is not None:
            options = {"ssl_context": self.tls} if self.implicit_tls else {"tls_context": self.tls, "require_starttls": True}
        if self.login is not None:
            # aiosmtpd counts only STARTTLS as TLS for AUTH; on an implicit-TLS port every byte is already encrypted
            options.update(authenticator=self._authenticate, auth_require_tls=not self.implicit_tls)
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, ready_timeout=30, **options)
        self._controller.start()
        return self

    def route(self, config: Config) -> Config:
        """`config` with its e-mail going here: this host and port, plain SMTP, no login (the demo's relay)."""
        email = {"from": "careloop demo <careloop@example.com>",
                 **(config.email.model_dump(by_alias=True) if config.email else {}),
                 "host": self.host, "port": self.port, "security": "none", "username_env": "", "password_env": ""}
        return config.model_copy(update={"email": EmailSettings.model_validate(email)})

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        given = (auth_data.login.decode(), auth_data.password.decode()) if isinstance(auth_data, LoginPassword) else None
        return AuthResult(success=given == self.login, handled=False, auth_data=auth_data)

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
            self.sessions.clear()
            self.count = 0
            self.refuse_rcpt.clear()
            self.next_replies = {"RCPT": [], "DATA": []}

    def fail_next(self, stage: str, reply: str, times: int = 1) -> None:
        self.next_replies[stage].extend([reply] * times)

    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [message_from_bytes(raw, policy=policy.default) for raw in self.received]

    def _scripted(self, stage: str) -> str | None:
        with self._lock:
            return self.next_replies[stage].pop(0) if self.next_replies[stage] else None

    def _accept(self, content: bytes) -> None:
        with self._lock:
            self.count += 1
            if self.keep:
                self.received.append(content)

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _Handler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.sink.refuse_rcpt.get(address.lower()) or self.sink._scripted("RCPT")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = self.sink._scripted("DATA")
        if reply:
            return reply
        self.sink._accept(envelope.original_content or envelope.content)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        encrypted = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None  # STARTTLS, 465
        self.sink.sessions.append({"tls": encrypted, "login": login})
        return "250 Message accepted for delivery"


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
