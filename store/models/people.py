"""What agents leave on a mention for each other: a claim ("Jana is on it") and internal notes. Neither is ever
sent out."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class MentionClaim(Base):
    """`user_id` is working on the mention until `expires_at` (renewed while their page is open). One row per
    mention: taken by a conditional INSERT or UPDATE (store/mention_claims.py), so two agents racing get one claim."""

    __tablename__ = "mention_claims"

    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MentionNote(Base):
    """An agent's internal note on a mention, for the team: shown on the mention page, never published."""

    __tablename__ = "mention_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
