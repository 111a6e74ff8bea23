"""Heureka.cz / Heureka.sk review exports: the shop-review XML (`<reviews>`) and the product-review
XML (`<products>`), from the shop's secret export URL or a local file.

Each export is a snapshot of the shop's reviews, not a stream: every review in it is handed to
ingest, which stores the new ones and notices edited ones (changed stars, pros, cons).
"""
from __future__ import annotations

from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit
from xml.etree.ElementTree import Element

from careloop.config import Brand, SourceConfig
from careloop.strict import Strict

from .base import ConnectorError, FetchedMention, FetchResult, options_of, register
from .text import safe_url
from .reviews import fetch, from_unix, lines, load_xml, require_brand, secret, stars

EXPORTS = {"shop": "export-review.php", "product": "export-product-review.php"}
SUB_RATINGS = ("delivery_time", "transport_quality", "web_usability", "communication")
DEFAULT_KEY_ENV = "HEUREKA_KEY"


def _text(element: Element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def review_text(summary: str, pros: list[str], cons: list[str]) -> str:
    """Summary, then pros and cons as "+"/"−" lines: readable in any language, no Czech labels
    that would mislead language detection on Slovak reviews."""
    return "\n".join([*([summary] if summary else []), *(f"+ {line}" for line in pros), *(f"− {line}" for line in cons)])


def review_to_mention(review: Element, product: Element | None = None) -> FetchedMention | None:
    review_id = _text(review, "rating_id")
    if not review_id:
        return None
    summary, pros, cons = _text(review, "summary"), lines(_text(review, "pros")), lines(_text(review, "cons"))
    extra: dict[str, Any] = {"pros": pros, "cons": cons}
    if product is None:
        rating = stars(_text(review, "total_rating"))
        extra["ratings"] = {name: value for name in SUB_RATINGS if (value := stars(_text(review, name))) is not None}
        extra["order_id"] = _text(review, "order_id") or None
        # The shop's public answer on Heureka: agents see the review was already answered.
        extra["shop_reaction"] = _text(review, "reaction") or None
    else:
        rating = stars(_text(review, "rating"))
        extra.update(product=_text(product, "product_name") or None, product_url=safe_url(_text(product, "url")),
                     order_id=_text(product, "order_id") or None)
    published = _text(review, "unix_timestamp")
    return FetchedMention(
        external_id=review_id,
        text=review_text(summary, pros, cons),
        title=extra.get("product"),
        author=_text(review, "name") or None,
        published_at=from_unix(published),
        rating=rating,
        extra={key: value for key, value in extra.items() if value not in (None, [], {})},
        raw={"rating_id": review_id, "unix_timestamp": published, "summary": summary[:2000],
             "pros": _text(review, "pros")[:2000], "cons": _text(review, "cons")[:2000]},
    )


def parse_export(source: SourceConfig, content: bytes, where: str) -> list[FetchedMention]:
    root = load_xml(source, content, where)
    if root.tag == "reviews":
        pairs = [(review, None) for review in root.iter("review")]
    elif root.tag == "products":
        pairs = [(review, product) for product in root.iter("product") for review in product.iter("review")]
    else:
        raise ConnectorError(source.name, f"{where} is not a Heureka review export (root <{root.tag}>, expected <reviews> or <products>); an invalid key returns such a page")
    newest: dict[str, FetchedMention] = {}
    for review, product in pairs:
        mention = review_to_mention(review, product)
        # A review can be listed twice (one per product variant, or before and after an edit): keep the latest.
        if mention and (mention.external_id not in newest or _later(mention, newest[mention.external_id])):
            newest[mention.external_id] = mention
    return list(newest.values())


def _later(candidate: FetchedMention, current: FetchedMention) -> bool:
    return (candidate.published_at is not None and current.published_at is not None
            and candidate.published_at >= current.published_at)


class HeurekaOptions(Strict):
    """`options:` of a `type: heureka` source."""

    export: Literal["shop", "product"] = "shop"  # shop reviews or product reviews (EXPORTS)
    country: Literal["cz", "sk"] = "cz"  # heureka.cz or heureka.sk
    key_env: str = DEFAULT_KEY_ENV  # the variable holding the export key (never careloop.yaml)


@register("heureka")
class HeurekaConnector:
    Options = HeurekaOptions
    reply_max_chars = 1_000  # a shop's reaction to a review (posted by hand)

    def fetch(self, source: SourceConfig, cursor: dict[str, Any], brands: list[Brand]) -> FetchResult:
        require_brand(source)
        if source.path is not None:
            document = fetch(source, str(source.path), cursor)
            where = str(source.path)
        else:
            url = self._export_url(source)
            key_env, key = secret(source, "key_env", DEFAULT_KEY_ENV)
            # The key goes in as a parameter, so error messages and logs show the URL without it.
            document = fetch(source, url, cursor, secret_env=key_env, params={"key": key})
            where = url
        if document.content is None:
            return FetchResult([], document.cursor)  # export unchanged since the last run
        return FetchResult(parse_export(source, document.content, where), document.cursor)

    @staticmethod
    def _export_url(source: SourceConfig) -> str:
        if source.url:
            if "key" in parse_qs(urlsplit(source.url).query):
                raise ConnectorError(source.name, "the export key must not be in `url` (it would sit in careloop.yaml and in logs): put it in the variable named by options.key_env")
            return source.url
        options = options_of(source)
        return f"https://www.heureka.{options.country}/direct/dotaznik/{EXPORTS[options.export]}"
