"""RSS 0.9x/1.0/2.0, Atom and JSON Feed from URLs or local files (Google Alerts, news, Mastodon
tag feeds, Hacker News search feeds …): XML parsed by feedparser, JSON Feed by connectors/jsonfeed.py."""
from __future__ import annotations

import calendar
import hashlib
import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser

from careloop.config import Brand, SourceConfig

from .base import ConnectorError, FetchedMention, FetchResult, register
from .http import fetch_document
from .jsonfeed import looks_like_json_feed, parse_json_feed
from .text import html_to_text, safe_url


def unwrap_redirect(url: str | None) -> str | None:
    """Google Alerts links point at google.com/url?url=<target>; the target is the mention."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.netloc.endswith("google.com") and parts.path == "/url":
        target = parse_qs(parts.query).get("url", [None])[0]
        return safe_url(target) or url
    return url


def _time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
    return None


def _entry_text(entry: Any) -> str:
    contents = entry.get("content") or []
    body = contents[0].get("value") if contents else None
    return html_to_text(body or entry.get("summary") or entry.get("description"))


def entry_to_mention(entry: Any) -> FetchedMention | None:
    link = unwrap_redirect(safe_url(entry.get("link")))
    title = html_to_text(entry.get("title"))
    text = _entry_text(entry)
    external_id = entry.get("id") or entry.get("link")
    if not external_id:
        if not (title or text):
            return None
        # No id and no link: the content itself is the identity.
        external_id = "sha256:" + hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
    author = entry.get("author") or (entry.get("author_detail") or {}).get("name")
    return FetchedMention(
        external_id=str(external_id)[:500],
        text=text,
        url=link,
        title=title or None,
        author=html_to_text(author) or None,
        published_at=_time(entry),
        raw={key: str(entry.get(key))[:2000] for key in ("id", "link", "title", "published", "updated") if entry.get(key)},
    )


_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _allowed_references(content: bytes) -> bytes:
    def allowed(match: re.Match) -> bytes:
        point = int(match[1], 16) if match[1] else int(match[2])
        ok = point in (9, 10, 13) or 0x20 <= point <= 0xD7FF or 0xE000 <= point <= 0xFFFD or 0x10000 <= point <= 0x10FFFF
        return match[0] if ok else b"&#xFFFD;"
    return _REFERENCE.sub(allowed, content)


@register("feed")
class FeedConnector:
    def fetch(self, source: SourceConfig, cursor: dict[str, Any], brands: list[Brand]) -> FetchResult:
        if not source.location:
            raise ConnectorError(source.name, "a feed source needs `url` or `path`")
        document = fetch_document(source.name, source.path or source.url, cursor, source.timeout_seconds)
        if document.content is None:
            return FetchResult([], document.cursor, not_modified=True)
        if looks_like_json_feed(document.content, document.content_type):
            try:
                mentions, problems = parse_json_feed(document.content)
            except ValueError as exc:
                raise ConnectorError(source.name, f"{source.location} is not a JSON Feed: {exc}") from None
            return FetchResult(mentions, document.cursor, problems)
        headers = {"content-type": document.content_type} if document.content_type else {}
        problems = []
        try:
            parsed = feedparser.parse(document.content, response_headers=headers, sanitize_html=True)
        except (UnicodeError, ValueError, OverflowError) as exc:
            # feedparser's lenient parser turns a reference such as &#55296; into a lone surrogate and then fails
            # to encode it: parse once more with every reference XML forbids replaced by U+FFFD.
            problems.append(f"character references XML forbids replaced by \ufffd ({type(exc).__name__})")
            parsed = feedparser.parse(_allowed_references(document.content), response_headers=headers, sanitize_html=True)
        if parsed.get("bozo"):
            problems.append(f"malformed feed ({type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}); kept {len(parsed.entries)} parsed entries")
        mentions = [mention for entry in parsed.entries if (mention := entry_to_mention(entry))]
        return FetchResult(mentions, document.cursor, problems)
