"""What the review-site connectors (App Store, Heureka, Google Play) share: payloads parsed with
errors that name the source, stars on 1–5, secrets from the environment, and paging newest-first
until the reviews already seen."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import Any, Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from careloop.config import SourceConfig
from careloop.logs import remember_secret

from .base import ConnectorAuthError, ConnectorError, FetchedMention
from .http import Document, fetch_document


def require_brand(source: SourceConfig) -> None:
    # Reviews rarely name the brand they are about; without `brand:` the matcher would drop them.
    if not source.brand:
        raise ConnectorError(source.name, f"a {source.type} source needs `brand:` (the brand whose app or shop is reviewed)")


def option(source: SourceConfig, key: str, default: Any = None) -> Any:
    value = source.options.get(key, default)
    if value is None or value == "":
        raise ConnectorError(source.name, f"options.{key} is required for a {source.type} source fetched over HTTP")
    return value


def secret(source: SourceConfig, env_option: str, default_env: str) -> tuple[str, str]:
    """(variable name, value) of the secret the source's options point at; never read from YAML."""
    name = str(source.options.get(env_option) or default_env)
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConnectorAuthError(source.name, f"environment variable {name} is not set (options.{env_option} names it)")
    remember_secret(value)
    return name, value


def fetch(source: SourceConfig, location: str, cursor: dict[str, Any], *, secret_env: str | None = None, **kwargs) -> Document:
    """fetch_document, with a rejected credential reported as such, naming the variable to check."""
    try:
        return fetch_document(source.name, location, cursor, source.timeout_seconds, **kwargs)
    except ConnectorError as exc:
        if secret_env and any(f"HTTP {status} " in str(exc) for status in (401, 403)):
            raise ConnectorAuthError(source.name, f"{location} refused the credentials: check {secret_env}") from None
        raise


def load_json(source: SourceConfig, content: bytes, where: str) -> Any:
    try:
        return json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:  # RecursionError: nested too deep
        raise ConnectorError(source.name, f"{where} is not JSON ({exc}); starts with {content[:60]!r}") from None


def load_xml(source: SourceConfig, content: bytes, where: str) -> Element:
    """Parsed with defusedxml: no entity expansion, no external entities or DTDs."""
    try:
        return fromstring(content)
    except DefusedXmlException as exc:
        raise ConnectorError(source.name, f"{where} declares XML entities or a DTD ({exc}); refused for safety") from None
    except ParseError as exc:
        raise ConnectorError(source.name, f"{where} is not well-formed XML ({exc}); starts with {content[:60]!r}") from None


def stars(value: Any) -> float | None:
    """A 1–5 star rating, or None for missing and out-of-range values."""
    try:
        rating = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        return None
    return rating if 1 <= rating <= 5 else None


def from_unix(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value).strip()), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def from_iso(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def collect_new(source: SourceConfig, pages: Iterator[list[FetchedMention]], newest: str | None) -> tuple[list[FetchedMention], str | None, list[str]]:
    """Read newest-first pages until one reaches a review at or before `newest` (ISO time).

    Returns the reviews at or after `newest` (an edited review comes back with a newer time), the
    new `newest`, and problems. A failing later page keeps what came before, and `newest` stays
    put so that the next run reads the missed pages again: nothing is lost.
    """
    since = from_iso(newest) if newest else None
    found: list[FetchedMention] = []
    try:
        for page in pages:
            found += [item for item in page if since is None or item.published_at is None or item.published_at >= since]
            if since is not None and any(item.published_at and item.published_at <= since for item in page):
                break
    except ConnectorError as exc:
        if not found:
            raise
        return found, newest, [f"stopped paging after {len(found)} reviews: {exc}; the next run reads them again"]
    times = [item.published_at for item in found if item.published_at]
    if since is not None:
        times.append(since)
    return found, max(times).isoformat() if times else newest, []


def collect_new_and_first_page(source: SourceConfig, pages: Iterator[list[FetchedMention]],
                               newest: str | None) -> tuple[list[FetchedMention], str | None, list[str]]:
    """collect_new, plus the rest of the newest page read again: the developer replies shown with those reviews
    may have been written or edited on the platform since (the store APIs; their replies do not move a review's time)."""
    first_page: list[FetchedMention] = []

    def remembering() -> Iterator[list[FetchedMention]]:
        for number, page in enumerate(pages):
            if number == 0:
                first_page.extend(page)
            yield page

    found, newest, problems = collect_new(source, remembering(), newest)
    new = {mention.external_id for mention in found}
    return found + [mention for mention in first_page if mention.external_id not in new], newest, problems


def lines(value: str | None) -> list[str]:
    """Non-empty lines of a free-text list field, without the bullets people type ("- rychlé dodání")."""
    return [stripped for line in (value or "").splitlines() if (stripped := line.strip().lstrip("-–•*+ ").strip())]
