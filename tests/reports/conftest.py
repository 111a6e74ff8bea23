"""Reports fixtures: mentions placed at exact moments (the figures are checked by hand), and a config with two
brands in Europe/Prague."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from store.mentions import get_or_create_source
from store.models import Draft, Mention

UTC = timezone.utc


def at(text: str) -> datetime:
    """"2024-03-24 23:30" in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def put(session, key: str, when: str, *, brand: str = "Nokia", source_type: str = "feed", language: str = "en",
        sentiment: str | None = "neutral", text: str | None = None, score: float | None = None,
        replied_after: timedelta | None = None, **fields) -> Mention:
    """A mention published at `when` (UTC); with `replied_after`, a reply sent that long after it."""
    source = get_or_create_source(session, f"{source_type}-{brand}".lower(), source_type)
    default_score = {"negative": -0.6, "neutral": 0.0, "positive": 0.6}.get(sentiment)
    mention = Mention(source_id=source.id, source_type=source_type, external_id=key, text=text or f"mention {key}",
                      text_hash=f"hash-{key}", language=language, brand=brand, sentiment_label=sentiment,
                      sentiment_score=score if score is not None else default_score, published_at=at(when),
                      url=f"https://example.com/{key}", **{"author": f"author-{key}", **fields})
    session.add(mention)
    session.flush()
    if replied_after is not None:
        session.add(Draft(mention_id=mention.id, status="sent", text="Thanks!", sent_at=at(when) + replied_after))
        session.flush()
    return mention


@pytest.fixture
def reports_config(make_config):
    def build(top: dict | None = None, **reports):
        """`reports:` from the keyword arguments; `top`: other top-level keys (email, webhooks)."""
        return make_config({
            "brands": [{"name": "Nokia", "keywords": ["Nokia"], "aliases": ["Nokii", "Нокиа"]},
                       {"name": "Slack", "keywords": ["Slack"]}],
            "reports": {"timezone": "Europe/Prague", "inbox_url": "https://care.example.com", **reports},
            **(top or {}),
        })
    return build
