"""What drafting knows about a mention: the few facts template rules and reply rules look at."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from careloop.config import Config, KnownIssue
from sentiment.pipeline import mention_text

from .extract import Details, extract
from store.issues import IssueView
from store.models import Mention


@dataclass(frozen=True)
class Facts:
    sentiment: str | None
    language: str
    source_type: str
    rating: float | None
    brand: str | None
    text: str
    question: bool
    known_issue: KnownIssue | IssueView | None
    topic: str | None = None  # understanding/topics.py; None: not embedded yet, or no topic confident enough
    details: Details = Details()  # product, order/claim number, wait, app version, platform (drafting/extract.py)


@lru_cache(maxsize=1024)
def _word_starts(words: tuple[str, ...]) -> re.Pattern:
    # Word beginnings, not whole words: Czech, Slovak and Russian inflect ("restart" → "restartuje").
    return re.compile("|".join(rf"(?<!\w){re.escape(word)}" for word in words), re.IGNORECASE)


def mentions_any(text: str, words: list[str]) -> bool:
    return bool(words) and _word_starts(tuple(words)).search(text) is not None


def asks_question(text: str, question_words: list[str]) -> bool:
    """A question mark, or a sentence that opens with a question word ("Jak nastavím …")."""
    if "?" in text:
        return True
    if not question_words:
        return False
    opener = re.compile(rf"(?:^|[.!\n]\s*)(?:{'|'.join(re.escape(w) for w in question_words)})\b", re.IGNORECASE)
    return opener.search(text) is not None


def known_issue_for(text: str, brand: str | None, issues: list) -> KnownIssue | IssueView | None:
    """The first known issue of this brand whose keywords (and product, when it names products) appear."""
    for issue in issues:
        if issue.brand not in (None, brand):
            continue
        if mentions_any(text, issue.keywords) and (not issue.products or mentions_any(text, issue.products)):
            return issue
    return None


def facts_for(mention: Mention, config: Config, issues: list[IssueView] | None = None) -> Facts:
    """`issues`: the known-issue registry (store.issues.registry_issues); careloop.yaml's list when not given."""
    text = mention_text(mention)
    language = mention.language or config.replies.fallback_language
    return Facts(
        sentiment=mention.sentiment_label,
        language=language,
        source_type=mention.source_type,
        rating=mention.rating,
        brand=mention.brand,
        text=text,
        question=asks_question(text, config.replies.question_words.get(language, [])),
        known_issue=known_issue_for(text, mention.brand, list(config.known_issues) if issues is None else issues),
        topic=mention.topic,
        details=details_of(mention, config, text),
    )


def details_of(mention: Mention, config: Config, text: str | None = None) -> Details:
    """The concrete facts of a mention (drafting/extract.py), with Heureka's order id when the text has none."""
    details = extract(mention_text(mention) if text is None else text, _products(config, mention.brand), mention.source_type)
    order_id = (mention.extra or {}).get("order_id")  # Heureka gives the order a review is about
    if details.order_number is None and isinstance(order_id, str) and order_id:
        details = replace(details, order_number=order_id[:40])
    return details


def _products(config: Config, brand: str | None) -> list[str]:
    named = [b for b in config.brands if b.name == brand]
    return list(named[0].products) if named else []
