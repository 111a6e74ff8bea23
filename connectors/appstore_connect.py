"""App Store reviews through the App Store Connect API, the mode an `appstore` source uses when it has
`options.key_id` and `options.issuer_id` (the team's API key) and the .p8 private key in the environment.

Unlike the public feed, its review ids are the ones replies are addressed to, and each review comes with the
developer's response (`include=response`), so an answer given in App Store Connect is seen (and a draft not made)
and one edited there is picked up: the newest page is read again on every run, not only the new reviews on it.
Replies go out as `customerReviewResponses` (one per review: posting again overwrites it).
Tokens are ES256 JWTs signed with the key (PyJWT), 15 minutes long (Apple refuses more than 20).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

import jwt

from careloop.config import SourceConfig

from .api import call, own_reply
from .base import ConnectorAuthError, FetchedMention
from .reviews import from_iso, option, secret, stars

API = "https://api.appstoreconnect.apple.com"
DEFAULT_KEY_ENV = "APP_STORE_CONNECT_KEY"
PAGE_SIZE = 200  # the most customerReviews returns at once
TOKEN_SECONDS = 15 * 60


def configured(source: SourceConfig) -> bool:
    return bool(source.options.get("key_id") and source.options.get("issuer_id"))


def token(source: SourceConfig) -> tuple[str, str]:
    """(what to check when refused, bearer JWT) for the team key in options.key_env (the .p8 text or its path)."""
    env, value = secret(source, "key_env", DEFAULT_KEY_ENV)
    key_id, issuer = str(option(source, "key_id")), str(option(source, "issuer_id"))
    check = f"{env} and options.key_id / options.issuer_id"
    now = int(time.time())
    try:
        pem = value if "-----BEGIN" in value else Path(value).read_text(encoding="utf-8")
        signed = jwt.encode({"iss": issuer, "iat": now, "exp": now + TOKEN_SECONDS, "aud": "appstoreconnect-v1"},
                            pem, algorithm="ES256", headers={"kid": key_id, "typ": "JWT"})
    except (OSError, ValueError, TypeError, jwt.PyJWTError) as exc:
        raise ConnectorAuthError(source.name, f"{env} must hold the App Store Connect .p8 key or the path to one "
                                              f"({type(exc).__name__}: {exc})") from None
    return check, signed


def _base(source: SourceConfig) -> str:
    return (source.url or API).rstrip("/")


def review_to_mention(review: dict, responses: dict[str, dict], reviews_url: str | None) -> FetchedMention | None:
    attributes, review_id = review.get("attributes") or {}, review.get("id")
    if review.get("type") != "customerReviews" or not isinstance(review_id, str) or not review_id:
        return None
    linked = (((review.get("relationships") or {}).get("response") or {}).get("data") or {}).get("id")
    response = (responses.get(linked) or {}).get("attributes") or {}
    extra = {"territory": attributes.get("territory"), "developer_reply": response.get("responseBody"),
             "developer_reply_state": response.get("state")}
    return FetchedMention(
        external_id=review_id,
        text=str(attributes.get("body") or "").strip(),
        title=str(attributes.get("title") or "").strip() or None,
        author=str(attributes.get("reviewerNickname") or "").strip() or None,
        published_at=from_iso(attributes.get("createdDate")),
        rating=stars(attributes.get("rating")),
        url=reviews_url,
        extra={key: value for key, value in extra.items() if value not in (None, "")},
        raw={"id": review_id, "createdDate": attributes.get("createdDate"), "rating": attributes.get("rating")},
    )


def _responses(payload: dict) -> dict[str, dict]:
    return {item["id"]: item for item in payload.get("included") or []
            if isinstance(item, dict) and item.get("type") == "customerReviewResponses" and item.get("id")}


def pages(source: SourceConfig, app_id: str, reviews_url: str, max_pages: int) -> Iterator[list[FetchedMention]]:
    """Newest first, PAGE_SIZE a page; `links.next` is followed only on the API's own host (it carries the token)."""
    check, bearer = token(source)
    base = _base(source)
    url, params = f"{base}/v1/apps/{quote(app_id, safe='')}/customerReviews", {
        "sort": "-createdDate", "limit": str(PAGE_SIZE), "include": "response"}
    for _ in range(max_pages):
        payload = call(source, "GET", url, bearer, credentials=check, params=params) or {}
        responses = _responses(payload)
        yield [mention for review in payload.get("data") or [] if isinstance(review, dict)
               and (mention := review_to_mention(review, responses, reviews_url))]
        following = str((payload.get("links") or {}).get("next") or "")
        if not following.startswith(base + "/"):
            return
        url, params = following, None


def reply(source: SourceConfig, review_id: str, text: str) -> str:
    """Create (or overwrite) the developer response; returns its id."""
    check, bearer = token(source)
    created = call(source, "POST", f"{_base(source)}/v1/customerReviewResponses", bearer, credentials=check, body={
        "data": {"type": "customerReviewResponses", "attributes": {"responseBody": text},
                 "relationships": {"review": {"data": {"type": "customerReviews", "id": review_id}}}}}) or {}
    return str((created.get("data") or {}).get("id") or f"{review_id}:response")


def find_own_reply(source: SourceConfig, review_id: str, text: str) -> str | None:
    check, bearer = token(source)
    payload: Any = call(source, "GET", f"{_base(source)}/v1/customerReviews/{quote(review_id, safe='')}", bearer,
                        credentials=check, params={"include": "response"}) or {}
    response = next(iter(_responses(payload).values()), {})
    current = str((response.get("attributes") or {}).get("responseBody") or "")
    return own_reply(source, review_id, current, text, str(response.get("id")), "App Store Connect")
