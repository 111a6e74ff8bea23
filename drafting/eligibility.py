"""Which mentions deserve a reply. Each "no" carries a reason the inbox shows next to the mention."""
from __future__ import annotations

from datetime import datetime, timedelta

from careloop.config import RepliesConfig
from store.models import Mention

from .facts import Facts


def is_brand_account(author: str | None, replies: RepliesConfig) -> bool:
    return replies.is_brand_account(author)  # in the configuration, so ingest (before drafting) asks the same


NOT_ABOUT_US = "not about us"  # the reason's prefix: the inbox filters on it
ALREADY_ANSWERED = "already answered"  # the reason's prefix for every source that shows the brand's reply

# Where connectors keep the brand's public answer that the platform shows beside a review (connectors/*.py):
# Play and App Store developer replies, the shop's reaction on Heureka.
PLATFORM_REPLY_FIELDS = {"developer_reply": "the developer's reply on the store", "shop_reaction": "the shop's reaction"}


def platform_answer(mention: Mention) -> str | None:
    """What already answers the review on its platform, if anything does (read when the review was fetched)."""
    extra = mention.extra or {}
    return next((label for key, label in PLATFORM_REPLY_FIELDS.items() if str(extra.get(key) or "").strip()), None)


def no_reply_reason(mention: Mention, facts: Facts, replies: RepliesConfig, answered_by: str | None,
                    now: datetime, *, answered_already_counts: bool = True) -> str | None:
    """None when the mention should get a drafted reply, else why not. A mention continuing a conversation we are
    in (ingest/conversations.py) is answered whatever its tone: they are talking to us."""
    if mention.duplicate_of_id is not None:
        return f"duplicate of mention #{mention.duplicate_of_id}: answer it there"
    if mention.relevance == "not_about":
        return f"{NOT_ABOUT_US}: {mention.relevance_reason or 'marked by an agent'}"
    if is_brand_account(mention.author, replies):
        return f"written by the brand's own account ({mention.author})"
    published = mention.published_at or mention.fetched_at
    if published is not None and now - published > timedelta(days=replies.max_age_days):
        return f"older than {replies.max_age_days} days (replies.max_age_days)"
    if answered_by and answered_already_counts:
        return f"{ALREADY_ANSWERED} in the thread by {answered_by}"
    if answered_already_counts and (answer := platform_answer(mention)) is not None:
        return f"{ALREADY_ANSWERED}: {answer}"
    if mention.conversation_id is not None or not answered_already_counts:
        return None
    if facts.known_issue or facts.question or facts.sentiment == "negative":
        return None
    if facts.rating is not None and facts.rating <= 2:
        return None
    if facts.sentiment == "positive":
        return None if replies.reply_to_praise else "praise, and replies.reply_to_praise is off"
    return "neutral, no question asked and no known issue mentioned"
