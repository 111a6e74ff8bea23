"""App Store customer reviews. With the team's App Store Connect API key configured (options.key_id,
options.issuer_id, the .p8 key in the environment) they are read, and answered, through App Store Connect
(connectors/appstore_connect.py). Without it: Apple's public feed per app and country, newest first, 50 per page,
at most 10 pages, read-only (its ids are not App Store Connect's, and it shows no developer replies).
JSON (`…/json`) and Atom (`…/xml`) feeds are both understood."""
from __future__ import annotations

from typing import Any, Iterator
from xml.etree.ElementTree import Element

from careloop.config import Brand, SourceConfig
from careloop.strict import Strict

from . import appstore_connect
from .base import ConnectorError, FetchedMention, FetchResult, register
from .text import safe_url
from .reviews import collect_new, collect_new_and_first_page, fetch, from_iso, load_json, load_xml, option, require_brand, stars

APPLE = "https://itunes.apple.com"
MAX_PAGES = 10  # Apple serves no more than 10 pages (500 reviews)
_ATOM = "{http://www.w3.org/2005/Atom}"
_IM = "{http://itunes.apple.com/rss}"


def _label(node: Any) -> str:
    """JSON feed values are {"label": …}; a few come as lists of those."""
    if isinstance(node, list):
        node = node[0] if node else {}
    return str(node.get("label", "")).strip() if isinstance(node, dict) else ""


def _json_entries(source: SourceConfig, payload: Any, where: str) -> list[dict]:
    feed = payload.get("feed") if isinstance(payload, dict) else None
    if not isinstance(feed, dict):
        raise ConnectorError(source.name, f"{where} is JSON but not an App Store reviews feed (no `feed` object)")
    entries = feed.get("entry", [])  # absent when the app has no reviews; a single review is not in a list
    return [entries] if isinstance(entries, dict) else [entry for entry in entries if isinstance(entry, dict)]


def _atom_entries(source: SourceConfig, root: Element, where: str) -> list[dict]:
    """The Atom variant, reshaped like the JSON one so that one function reads both."""
    if root.tag != f"{_ATOM}feed":
        raise ConnectorError(source.name, f"{where} is XML but not an App Store reviews feed (root <{root.tag}>)")
    entries = []
    for entry in root.iter(f"{_ATOM}entry"):
        def text(tag: str, entry: Element = entry) -> dict:
            found = entry.find(tag)
            return {"label": found.text or ""} if found is not None else {}
        content = next((node for node in entry.iter(f"{_ATOM}content") if node.get("type") == "text"), None)
        entries.append({
            "id": text(f"{_ATOM}id"), "title": text(f"{_ATOM}title"), "updated": text(f"{_ATOM}updated"),
            "content": {"label": content.text or ""} if content is not None else {},
            "author": {"name": text(f"{_ATOM}author/{_ATOM}name"), "uri": text(f"{_ATOM}author/{_ATOM}uri")},
            "im:rating": text(f"{_IM}rating"), "im:version": text(f"{_IM}version"),
            "im:voteSum": text(f"{_IM}voteSum"), "im:voteCount": text(f"{_IM}voteCount"),
        })
    return entries


def entry_to_mention(entry: dict, reviews_url: str | None) -> FetchedMention | None:
    rating = stars(_label(entry.get("im:rating")))
    review_id = _label(entry.get("id"))
    if rating is None or not review_id:
        return None  # older feeds start with an entry describing the app itself
    author = entry.get("author") or {}
    fields = {key: _label(entry.get(key)) for key in ("im:version", "im:voteSum", "im:voteCount", "updated")}
    return FetchedMention(
        external_id=review_id,
        text=_label(entry.get("content")),
        title=_label(entry.get("title")) or None,
        author=_label(author.get("name")) or None,
        published_at=from_iso(fields["updated"]),
        rating=rating,
        url=reviews_url,
        extra={key: value for key, value in (
            ("app_version", fields["im:version"]), ("helpful_votes", fields["im:voteSum"]),
            ("votes", fields["im:voteCount"]), ("author_url", safe_url(_label(author.get("uri")))),
        ) if value},
        raw={"id": review_id, "updated": fields["updated"], "rating": _label(entry.get("im:rating")), "version": fields["im:version"]},
    )


def parse_page(source: SourceConfig, content: bytes, where: str, reviews_url: str | None = None) -> list[FetchedMention]:
    if content.lstrip().startswith(b"<"):
        entries = _atom_entries(source, load_xml(source, content, where), where)
    else:
        entries = _json_entries(source, load_json(source, content, where), where)
    return [mention for entry in entries if (mention := entry_to_mention(entry, reviews_url))]


def _app(source: SourceConfig) -> tuple[str, str]:
    app_id = str(option(source, "app_id")).strip()
    country = str(source.options.get("country", "us")).strip().lower()
    if not app_id.isdigit() or not (len(country) == 2 and country.isalpha()):
        raise ConnectorError(source.name, f"options.app_id must be the numeric App Store id and options.country a two-letter code (got {app_id!r}, {country!r})")
    return app_id, country


def _reviews_url(app_id: str, country: str) -> str:
    # Apple has no link per review; the app's review list is where an agent reads and answers.
    return f"https://apps.apple.com/{country}/app/id{app_id}?see-all=reviews"


class AppStoreOptions(Strict):
    """`options:` of a `type: appstore` source. App Store Connect mode when key_id and issuer_id are both set."""

    app_id: int | str | None = None  # the number after `id` in the app's URL (required over HTTP)
    country: str = "us"  # the storefront, two letters
    pages: int = MAX_PAGES  # pages read per run, at most MAX_PAGES
    key_id: str | None = None  # App Store Connect API key id
    issuer_id: str | None = None  # App Store Connect issuer id
    key_env: str = appstore_connect.DEFAULT_KEY_ENV  # the variable holding the .p8 key (its text or its path)


@register("appstore")
class AppStoreConnector:
    Options = AppStoreOptions
    reply_max_chars = 5_970  # customerReviewResponses' responseBody

    def can_reply(self, source: SourceConfig) -> bool:
        return appstore_connect.configured(source)

    def reply(self, source: SourceConfig, mention_external_id: str, text: str) -> str:
        if not self.can_reply(source):
            raise ConnectorError(source.name, "replies need App Store Connect: set options.key_id, options.issuer_id "
                                              f"and the .p8 key in {appstore_connect.DEFAULT_KEY_ENV} (or options.key_env)")
        return appstore_connect.reply(source, mention_external_id, text)

    def find_own_reply(self, source: SourceConfig, mention_external_id: str, text: str) -> str | None:
        return appstore_connect.find_own_reply(source, mention_external_id, text)

    def fetch(self, source: SourceConfig, cursor: dict[str, Any], brands: list[Brand]) -> FetchResult:
        require_brand(source)
        if source.path is None and self.can_reply(source):
            return self._connect(source, cursor)
        if source.path is not None:
            # A saved page (demo, or a feed fetched by other means): read whole, same cursor rules.
            document = fetch(source, str(source.path), cursor.get("validators", {}))
            if document.content is None:
                return FetchResult([], cursor)
            reviews_url = _reviews_url(*_app(source)) if source.options.get("app_id") else None
            pages = iter([parse_page(source, document.content, str(source.path), reviews_url)])
        else:
            document, pages = self._pages(source, cursor)
            if document.content is None:
                return FetchResult([], cursor)  # page 1 unchanged since the last run
        mentions, newest, problems = collect_new(source, pages, cursor.get("newest"))
        return FetchResult(mentions, {"newest": newest, "validators": document.cursor}, problems)

    def _pages(self, source: SourceConfig, cursor: dict[str, Any]):
        app_id, country = _app(source)
        pages = min(int(source.options.get("pages", MAX_PAGES)), MAX_PAGES)
        base = (source.url or APPLE).rstrip("/")
        reviews_url = _reviews_url(app_id, country)

        def location(page: int) -> str:
            return f"{base}/{country}/rss/customerreviews/page={page}/id={app_id}/sortby=mostrecent/json"

        # Page 1 is fetched conditionally: unchanged means nothing new on any page.
        first = fetch(source, location(1), cursor.get("validators", {}))

        def read() -> Iterator[list[FetchedMention]]:
            for page in range(1, pages + 1):
                content = first.content if page == 1 else fetch(source, location(page), {}).content
                found = parse_page(source, content, location(page), reviews_url)
                if not found:
                    return  # past the last page Apple serves an empty feed
                yield found

        return first, read()

    def _connect(self, source: SourceConfig, cursor: dict[str, Any]) -> FetchResult:
        """New reviews since the cursor, and the whole newest page again: its developer replies may have changed."""
        app_id, country = _app(source)
        pages = appstore_connect.pages(source, app_id, _reviews_url(app_id, country),
                                       min(int(source.options.get("pages", MAX_PAGES)), MAX_PAGES))
        mentions, newest, problems = collect_new_and_first_page(source, pages, cursor.get("newest"))
        return FetchResult(mentions, {"newest": newest}, problems)
