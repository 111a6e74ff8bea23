"""Tables of the listening stage: sources with their fetch cursor, mentions, their edit history, runs."""
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONType, UTCDateTime, utcnow


class Source(Base):
    """A configured source (one entry of careloop.yaml `sources`), keyed by its name."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    # Connector-specific resume point: ETag / Last-Modified, newest id or time per query.
    cursor: Mapped[dict] = mapped_column(JSONType, default=dict)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[str | None] = mapped_column(String(20))
    # When a run last stored what it fetched (ok or warning): a source silent longer than its stale age is stale.
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class Mention(Base):
    """One item from a source that matched a brand. Unique on (source, external id)."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id"),
        Index("ix_mentions_canonical_url", "canonical_url"),
        Index("ix_mentions_text_hash", "text_hash"),
        Index("ix_mentions_published_at", "published_at"),
        Index("ix_mentions_source_type_author", "source_type", "author"),  # a customer's history (inbox/history.py)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    source_type: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(String(1000))
    parent_external_id: Mapped[str | None] = mapped_column(String(500))
    author: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    text_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    language: Mapped[str | None] = mapped_column(String(8))
    language_confidence: Mapped[float | None] = mapped_column(Float)
    rating: Mapped[float | None] = mapped_column(Float)  # stars on a 1–5 scale
    brand: Mapped[str | None] = mapped_column(String(200), index=True)
    matched_keywords: Mapped[list] = mapped_column(JSONType, default=list)
    # Platform fields worth showing (subreddit, score, app version, pros/cons …).
    extra: Mapped[dict] = mapped_column(JSONType, default=dict)
    raw: Mapped[dict] = mapped_column(JSONType, default=dict)
    # Set when the same story arrived earlier through another source: counted once.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id"), index=True)
    # Set when this continues an exchange we took part in (a reply to our reply, a new comment in a thread we
    # answered): the mention we answered first. The mention page shows the whole exchange (ingest/conversations.py).
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id"), index=True)
    # Current sentiment, denormalised for the inbox filters; history lives in sentiment_scores.
    sentiment_label: Mapped[str | None] = mapped_column(String(10), index=True)
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    sentiment_source: Mapped[str | None] = mapped_column(String(10))
    # What it is about (understanding/topics.py) and whether it is about the brand at all (understanding/relevance.py);
    # source "model" or "agent" (an agent's fix is never overwritten and becomes an example).
    topic: Mapped[str | None] = mapped_column(String(40), index=True)
    topic_confidence: Mapped[float | None] = mapped_column(Float)
    topic_source: Mapped[str | None] = mapped_column(String(10))
    relevance: Mapped[str | None] = mapped_column(String(10))  # about | not_about
    relevance_reason: Mapped[str | None] = mapped_column(Text)
    relevance_source: Mapped[str | None] = mapped_column(String(10))

    source: Mapped[Source] = relationship()


class MentionRevision(Base):
    """What a mention said before its author edited it (reviews get edited after the first fetch)."""

    __tablename__ = "mention_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id"), index=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    rating: Mapped[float | None] = mapped_column(Float)
    extra: Mapped[dict] = mapped_column(JSONType, default=dict)


class Run(Base):
    """Run log: one row per source per run, with what happened."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_name: Mapped[str] = mapped_column(String(200), index=True)
    stage: Mapped[str] = mapped_column(String(40), default="ingest")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | ok | warning | failed | interrupted
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    duplicates_linked: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    # Touched while the run works: a running row whose heartbeat stopped belongs to a killed process.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RejectedItem(Base):
    """An item a source delivered that could not be stored, and why; the rest of its run was stored. One row per
    (source, external id): a later run rejecting it again refreshes the reason instead of adding a row."""

    __tablename__ = "rejected_items"
    __table_args__ = (UniqueConstraint("source_name", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_name: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: old runs are pruned, the record stays
    rejected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
