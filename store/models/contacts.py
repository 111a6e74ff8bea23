"""Tables of the people we may contact: contacts (with consent and unsubscriptions per message kind) and the
suppression list (bounced, complained, erased), which holds only a hash of the address."""
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, UTCDateTime, utcnow


class Suppression(Base):
    """An address that must never get another message: keyed by email_hash (store/outreach.py), never the address,
    so an erased person stays suppressed without being stored."""

    __tablename__ = "suppressions"

    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(20))  # bounced | complained | erased | manual
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
