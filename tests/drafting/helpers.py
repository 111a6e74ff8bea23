"""Mentions and configs for drafting and publishing tests, built through the real models."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import yaml

from store.mentions import get_or_create_source
from store.models import Draft, Mention, utcnow

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "careloop.yaml"


def demo_config(make_config, **overrides):
    """The demo careloop.yaml's brands, known issues and reply rules, plus test sources."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data.pop("database", None)
    data["knowledge"] = {**data["knowledge"], "path": str(EXAMPLE.parent / data["knowledge"]["path"])}
    data["sources"] = [
        {"name": "reddit-nokia", "type": "reddit", "options": {"subreddits": ["Nokia"]}},
        {"name": "heureka-cz", "type": "heureka", "url": "https://example.com/heureka.xml", "brand": "Nokia"},
        {"name": "news", "type": "feed", "url": "https://example.com/feed.xml"},
    ]
    data.update(overrides)
    return make_config(data)


def add_mention(session, text: str, *, source: str = "news", source_type: str = "feed", sentiment: str | None = "neutral",
                language: str = "en", brand: str = "Nokia", rating: float | None = None, author: str | None = "jana",
                age: timedelta = timedelta(hours=2), **fields) -> Mention:
    source_row = get_or_create_source(session, source, source_type)
    count = session.query(Mention).count()
    mention = Mention(
        source_id=source_row.id, source_type=source_type, external_id=fields.pop("external_id", f"item-{count + 1}"),
        text=text, text_hash=f"hash-{count + 1}", language=language, brand=brand, rating=rating, author=author,
        sentiment_label=sentiment, published_at=utcnow() - age, url=fields.pop("url", "https://example.com/post"),
        **fields,
    )
    session.add(mention)
    session.flush()
    return mention


def add_draft(session, mention: Mention, text: str = "draft", *, priority: int = 1) -> int:
    """A pending reply draft for `mention`, as drafting would leave it; returns its id."""
    draft = Draft(mention_id=mention.id, kind="reply", campaign="", status="pending", text=text, priority=priority,
                  check_failures=[], created_at=utcnow(), updated_at=utcnow())
    session.add(draft)
    session.flush()
    return draft.id
