"""Sentiment history: one row per (mention, model, model version); the current value is denormalised on Mention."""
from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


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
