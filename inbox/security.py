"""Session secret, CSRF tokens, next-URL checks and the headers every response carries."""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from connectors.text import INVISIBLE

from careloop.secret import secret_key, secret_key_file  # noqa: F401  (the inbox's session secret)

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# POSTs authorised by a signed token in the path instead of a session (a mail client's one-click unsubscribe).
SIGNED_PATHS = ("/reports/digests/unsubscribe/",)

# No inline script or style anywhere, so the policy can forbid both: injected markup cannot run.
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                 b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")  # with secure cookies only


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created with the session (the login page included)."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """App-wide dependency: every unsafe request must echo the session's token, or it is refused."""
    if request.method not in UNSAFE_METHODS or request.url.path.startswith(SIGNED_PATHS):
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        sent = (await request.form()).get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(expected, sent):
        raise HTTPException(403, "The form has expired or did not come from this site: reload the page and try again.")


def local_path(target: str | None, default: str = "/") -> str:
    """Redirect and back-link targets taken from requests stay on this site: a path of this app, nothing else.
    Browsers drop tab and newline inside a URL and read a backslash as a slash, so `/\t/evil.example` or `/\\evil`
    would leave the site as `//evil.example`: any whitespace, control character or backslash is refused."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return default
    if any(char.isspace() or char == "\\" or ord(char) < 0x20 or 0x7f <= ord(char) <= 0x9f or char in INVISIBLE
           for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


class SecurityHeaders:
    """Pure ASGI middleware: adds SECURITY_HEADERS (and HSTS when served over HTTPS) to every HTTP response but
    the 500 page, which Starlette answers outside all middleware: `add_server_error_page` covers that one."""

    def __init__(self, app, hsts: bool = False):
        self.app = app
        self.headers = [*SECURITY_HEADERS, *([HSTS] if hsts else [])]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_server_error_page(app, hsts: bool = False) -> None:
    """An unexpected error's 500 page, with the same headers as every other response (the traceback goes to the
    server's log, never to the browser)."""
    headers = {name.decode(): value.decode() for name, value in [*SECURITY_HEADERS, *([HSTS] if hsts else [])]}

    async def server_error(request: Request, exc: Exception) -> HTMLResponse:
        return HTMLResponse(SERVER_ERROR_PAGE, status_code=500, headers=headers)

    app.add_exception_handler(Exception, server_error)


# Static on purpose: the error may be the database or the templates themselves.
SERVER_ERROR_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error · careloop</title>'
    '<link rel="stylesheet" href="/static/inbox.css"></head><body><main><h1>Sorry</h1>'
    '<p class="flash error">Something went wrong on our side. Try again in a moment; if it keeps happening, '
    'tell the administrator (the details are in the server log).</p><p><a href="/">Back to the inbox</a></p>'
    '</main></body></html>'
)
