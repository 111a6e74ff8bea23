"""JSON calls to the store APIs careloop replies through (Google Play Developer API, App Store Connect API): one
request with a bearer token, and its failure classified the way the outbox acts on it:

    401/403      ConnectorAuthError    never retried: a person fixes the credential named in the message
    404          ConnectorNotFound     the review is gone (deleted by its author meanwhile)
    429, 5xx,    ConnectorUnavailable  retried later; after a 5xx or a timeout the reply may have been posted, so
    timeout                            the outbox reads the review back (find_sent) before it sends again
    other 4xx    ConnectorError        refused for good (too long, malformed)
"""
from __future__ import annotations

import json
from typing import Any

import httpx

from careloop.config import SourceConfig

from .base import ConnectorAuthError, ConnectorError, ConnectorNotFound, ConnectorUnavailable
from .http import USER_AGENT


def call(source: SourceConfig, method: str, url: str, token: str, *, credentials: str, body: dict | None = None,
         params: dict[str, str] | None = None) -> Any:
    """The response's JSON (None when it has no body). `credentials` says what to check when they are refused."""
    headers = {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT, "Accept": "application/json"}
    try:
        # No redirects: the token must not follow a redirect to another host.
        with httpx.Client(timeout=source.timeout_seconds, follow_redirects=False) as client:
            response = client.request(method, url, headers=headers, json=body, params=params)
    except httpx.TimeoutException:
        raise ConnectorUnavailable(source.name, f"timed out after {source.timeout_seconds:g}s: {method} {url}") from None
    except httpx.HTTPError as exc:
        raise ConnectorUnavailable(source.name, f"could not reach {url}: {exc}") from None
    status, detail = response.status_code, _detail(response)
    if status in (401, 403):
        raise ConnectorAuthError(source.name, f"{method} {url} refused the credentials (HTTP {status}{detail}): check {credentials}")
    if status == 404:
        raise ConnectorNotFound(source.name, f"{method} {url}: not found (HTTP 404{detail}); deleted meanwhile?")
    if status == 429:
        wait = response.headers.get("retry-after")
        raise ConnectorUnavailable(source.name, f"rate limited (HTTP 429{detail}{f', retry after {wait}s' if wait else ''}): {method} {url}")
    if status >= 500:
        raise ConnectorUnavailable(source.name, f"HTTP {status} from {method} {url}{detail}")
    if status >= 400:
        raise ConnectorError(source.name, f"HTTP {status} from {method} {url}{detail}")
    if not response.content:
        return None
    try:
        return response.json()
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ConnectorError(source.name, f"{method} {url} answered HTTP {status} with something that is not JSON: "
                                          f"{response.content[:60]!r}") from None


def own_reply(source: SourceConfig, review_id: str, current: str, text: str, reply_id: str, console: str) -> str | None:
    """After an interrupted send: `reply_id` if the review's developer reply (`current`) is ours, None if it has none.
    A different one is someone's answer in the store's console: refused rather than overwritten."""
    if not current.strip():
        return None
    if " ".join(current.split()) == " ".join(text.split()):
        return reply_id
    raise ConnectorError(source.name, f"review {review_id} already has another developer reply (posted in {console} "
                                      f"meanwhile?): {current[:80]!r}; not overwritten")


def _detail(response: httpx.Response) -> str:
    """The platform's own words for an error: Google's `error.message`, Apple's `errors[].detail` (capped)."""
    try:
        payload = response.json()
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
    if not isinstance(payload, dict):
        return ""
    google = payload.get("error")
    apple = payload.get("errors")
    if isinstance(google, dict):
        text = str(google.get("message") or google.get("status") or "")
    elif isinstance(apple, list) and apple and isinstance(apple[0], dict):
        text = str(apple[0].get("detail") or apple[0].get("title") or apple[0].get("code") or "")
    else:
        return ""
    return f": {' '.join(text.split())[:300]}" if text else ""
