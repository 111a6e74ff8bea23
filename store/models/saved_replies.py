"""Saved replies (canned responses): texts admins keep per language, which agents insert into a reply they edit."""
from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class SavedReply(Base):
    """One saved reply: a title unique within its language (what the picker lists and filters on) and the text
    inserted at the cursor. Plain text: inserted as typed characters, never rendered as a template or HTML."""

    __tablename__ = "saved_replies"
    __table_args__ = (UniqueConstraint("language", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(8), index=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
