"""Tables of the reports stage: the daily rollup digests read, terms per mention, digests built, alerts raised.

The rollup and the term index are derived data: rebuilt from mentions at any time (`careloop digest --rebuild`).
"""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, UTCDateTime, utcnow
from .listening import Mention
from .replies import Draft

# Every digest figure is a range of one brand's mentions by time: (brand, published_at) reads it off one index.
Index("ix_mentions_brand_published_at", Mention.brand, Mention.published_at)
# First response time reads the replies sent in a period.
Index("ix_drafts_sent_at", Draft.sent_at)


class MentionDay(Base):
    """Distinct mentions (duplicates counted once) per local day of `reports.timezone`, brand, source type,
    language and sentiment. A year of a busy brand is ~100,000 rows instead of a million mentions, so a digest
    or the Digests tab sums a few thousand rows whatever the date range."""

    __tablename__ = "mention_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    brand: Mapped[str] = mapped_column(String(200), primary_key=True)  # "" when no brand matched
    source_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)  # "" when unknown
    sentiment: Mapped[str] = mapped_column(String(10), primary_key=True)  # negative | neutral | positive | unscored
    mentions: Mapped[int] = mapped_column(Integer)


class TermDay(Base):
    """How many of a local day's negative (or positive) mentions of a brand and language use a term: top terms of
    any period are a sum over days, not a join over every mention of the period (a mention is on one day, so the
    sums stay exact)."""

    __tablename__ = "term_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    brand: Mapped[str] = mapped_column(String(200), primary_key=True)
    sentiment: Mapped[str] = mapped_column(String(10), primary_key=True)  # negative | positive
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True)
    mentions: Mapped[int] = mapped_column(Integer)


class DayTop(Base):
    """Each local day's five most negative, most reach and most discussed mentions per brand: a period's top five
    are among its days' top fives, so they are found without sorting every mention of the period."""

    __tablename__ = "day_tops"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    brand: Mapped[str] = mapped_column(String(200), primary_key=True)
    list: Mapped[str] = mapped_column(String(20), primary_key=True)  # most_negative | most_reach | most_discussed
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True)


class ReportMark(Base):
    """How far the rollup and the term index have read (highest ids seen per table) and the time zone of the
    rollup's days: what changed since is found by id, without scanning mentions."""

    __tablename__ = "report_marks"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(100))


class Term(Base):
    """A word or two-word phrase of one language, by its lemma key ("přihlásit" for přihlášení, přihlášením…);
    `display` is a surface form people wrote."""

    __tablename__ = "terms"
    __table_args__ = (UniqueConstraint("language", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(200))
    words: Mapped[int] = mapped_column(Integer)  # 1: a term, 2: a phrase
    display: Mapped[str] = mapped_column(String(200))


class MentionTerm(Base):
    """Which terms a mention contains (once each): top terms are a GROUP BY over the period's mentions."""

    __tablename__ = "mention_terms"

    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True)


class Digest(Base):
    """A digest built for a period: the figures as computed, kept so a re-run sends nothing twice and the
    archive shows what was sent. `name` is the configured digest's name (or "manual-…" for `careloop digest`)."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("name", "period_start", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    brands: Mapped[list] = mapped_column(JSONType, default=list)
    period_start: Mapped[date] = mapped_column(Date)  # first local day
    period_end: Mapped[date] = mapped_column(Date)  # the day after the last
    timezone: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(8))
    figures: Mapped[dict] = mapped_column(JSONType, default=dict)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Alert(Base):
    """A spike (volume or negative share, per brand and source type) or a source that stopped succeeding.
    Unique per what and window, so two workers evaluating the same window raise it once."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("kind", "brand", "source_type", "source_name", "window_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # volume | negative_share | stale_source
    brand: Mapped[str] = mapped_column(String(200), default="")
    source_type: Mapped[str] = mapped_column(String(40), default="")  # "" = every source type
    source_name: Mapped[str] = mapped_column(String(200), default="")  # stale_source only
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    window_end: Mapped[datetime] = mapped_column(UTCDateTime())
    count: Mapped[int] = mapped_column(Integer, default=0)
    usual_low: Mapped[int | None] = mapped_column(Integer)
    usual_high: Mapped[int | None] = mapped_column(Integer)
    explanation: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSONType, default=dict)  # shares, top terms, per source counts, link
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class DigestUnsubscribe(Base):
    """A subscriber who clicked a digest's one-click unsubscribe: skipped (and recorded as such) until removed
    from careloop.yaml and added again. Keyed by the address hash, as the suppression list."""

    __tablename__ = "digest_unsubscribes"

    digest: Mapped[str] = mapped_column(String(200), primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
