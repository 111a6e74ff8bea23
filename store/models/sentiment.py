"""Sentiment history: one row per (mention, model, model version); the current value is denormalised on Mention."""
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, UTCDateTime, utcnow


class SentimentScore(Base):
    """A model's opinion of a mention. Kept when a newer model rescores, so models can be compared later."""

    __tablename__ = "sentiment_scores"
    __table_args__ = (UniqueConstraint("mention_id", "model", "model_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), index=True)
    model: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(10))  # negative | neutral | positive
    score: Mapped[float] = mapped_column(Float)  # signed, [-1, 1]
    confidence: Mapped[float] = mapped_column(Float)  # [0, 1]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MentionEmbedding(Base):
    """A mention's e5 embedding (float32, L2-normalised), computed once by the scoring stage and read by topics,
    relevance, retrieval and "answered like this before". One row per (mention, encoder version): an edit of the
    mention deletes it (store.mentions.revise), another encoder adds its own."""

    __tablename__ = "mention_embeddings"
    __table_args__ = (UniqueConstraint("mention_id", "encoder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), index=True)
    encoder: Mapped[str] = mapped_column(String(100))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TextEmbedding(Base):
    """Embeddings of careloop's own texts (topic example phrases, knowledge-base passages), keyed by the SHA-256
    of the exact text: embedded once per encoder, again only when the text changes."""

    __tablename__ = "text_embeddings"
    __table_args__ = (UniqueConstraint("text_hash", "encoder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    encoder: Mapped[str] = mapped_column(String(100))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RelevanceFit(Base):
    """A brand's relevance model fitted on agents' "about" / "not about us" decisions over one encoder's mention
    embeddings (understanding/relevance_training.py); `fingerprint` names the decisions it was fitted on, so a
    retraining with no new decision changes nothing."""

    __tablename__ = "relevance_fits"
    __table_args__ = (UniqueConstraint("brand", "encoder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand: Mapped[str] = mapped_column(String(200))
    encoder: Mapped[str] = mapped_column(String(100))
    about: Mapped[int] = mapped_column(Integer)  # decisions of each label it was fitted on
    not_about: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict] = mapped_column(JSONType)  # center, weights, bias of the logistic regression
    precision: Mapped[float] = mapped_column(Float)  # of not_about, cross-validated on the decisions
    recall: Mapped[float] = mapped_column(Float)
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
