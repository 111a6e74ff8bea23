"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), parsed with the json module: feedparser does not read
JSON Feed at all (it kept 0 entries). Used by the feed connector when the document is JSON."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from .base import FetchedMention
from .text import html_to_text, safe_url

JSON_TYPES = ("application/feed+json", "application/json")


def looks_like_json_feed(content: bytes, content_type: str | None) -> bool:
    if content_type and content_type.split(";")[0].strip().lower() in JSON_TYPES:
        return True
    return content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def parse_json_feed(content: bytes) -> tuple[list[FetchedMention], list[str]]:
    """(items, problems); raises ValueError when the document is not a JSON Feed at all."""
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"not valid JSON ({type(exc).__name__}: {exc})"[:300]) from None
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
        raise ValueError("JSON without a JSON Feed `version` (https://jsonfeed.org/version/1.1)")
    items = document.get("items")
    if not isinstance(items, list):
        raise ValueError("a JSON Feed without an `items` list")
    mentions, problems = [], []
    for position, item in enumerate(items):
        mention = item_to_mention(item) if isinstance(item, dict) else None
        if mention is None:
            problems.append(f"JSON Feed item {position} has no id (or is not an object): skipped")
        else:
            mentions.append(mention)
    return mentions, problems


def item_to_mention(item: dict[str, Any]) -> FetchedMention | None:
    item_id = item.get("id")
    if isinstance(item_id, (int, float)) and not isinstance(item_id, bool):
        item_id = str(item_id)  # 1.0 allowed numbers
    if not isinstance(item_id, str) or not item_id.strip():
        return None
    text = _text(item.get("content_text")) or html_to_text(_text(item.get("content_html"))) or _text(item.get("summary"))
    return FetchedMention(
        external_id=item_id[:500],
        text=text,
        url=safe_url(item.get("url")) or safe_url(item.get("external_url")),
        title=html_to_text(_text(item.get("title"))) or None,
        author=_author(item),
        published_at=_time(item.get("date_published")) or _time(item.get("date_modified")),
        raw={key: str(item.get(key))[:2000] for key in ("id", "url", "title", "date_published", "date_modified") if item.get(key)},
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _author(item: dict[str, Any]) -> str | None:
    authors = item.get("authors") if isinstance(item.get("authors"), list) else [item.get("author")]  # 1.1, else 1.0
    names = [_text(author.get("name")) for author in authors if isinstance(author, dict)]
    return next((name for name in names if name), None)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
