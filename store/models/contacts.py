"""Tables of the people we may contact: contacts (with consent and unsubscriptions per message kind) and the
suppression list (bounced, complained, erased), which holds only a hash of the address."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
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


class Contact(Base):
    """A person we may reach by e-mail. Consent and unsubscription are per message kind (service, survey,
    marketing); `attributes` are the free columns of the import (plan, platform, app_version, country …) that
    audience rules read."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # normalised: trimmed, lower case
    name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    attributes: Mapped[dict] = mapped_column(JSONType, default=dict)
    consent_service: Mapped[bool] = mapped_column(Boolean, default=True)  # about products they use: on unless refused
    consent_survey: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_marketing: Mapped[bool] = mapped_column(Boolean, default=False)
    unsubscribed_service_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unsubscribed_survey_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unsubscribed_marketing_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ContactHandle(Base):
    """A public name of a contact on a platform (a Reddit user, a Heureka or store reviewer): ties mentions to them."""

    __tablename__ = "contact_handles"
    __table_args__ = (UniqueConstraint("platform", "handle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(40))  # a source type: reddit, heureka, appstore, googleplay
    handle: Mapped[str] = mapped_column(String(300))  # lower case, without u/ or @
