"""The outbox: one row per logical outgoing message (reply, follow-up, notice e-mail, digest, alert, webhook post).

Every row ends in one of OUTBOX_STATUSES; `publishing/outbox.py` owns the transitions (claim → sending → sent |
failed | queued again for a retry | uncertain). Rows that were never sent say why: skipped_* with `error` holding
the reason (contact policy, consent, unsubscription or suppression), failed with the last error.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, UTCDateTime, utcnow

SKIPPED_STATUSES = ("skipped_policy", "skipped_consent", "skipped_unsubscribed")
OUTBOX_STATUSES = ("queued", "claimed", "sent", "failed", "uncertain", *SKIPPED_STATUSES)
# Besides those, a reply no API can post waits as "manual" until an agent posts it by hand and marks it sent.
MANUAL = "manual"


class OutboxMessage(Base):
    """`key` is unique per logical message ("reply:<draft id>", "notice:<issue>:<stage>:<contact>"), so queueing
    the same message twice stores it once. `kind` says what it is (reply, follow_up, notice, digest, alert …);
    `channel` how it leaves (reddit, email, webhook, manual). `consent_kind` is set on messages to customers
    (service, survey, marketing): those count toward the contact policy; staff messages leave it empty."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(30))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: erasing a contact keeps the count
    consent_kind: Mapped[str | None] = mapped_column(String(20))
    campaign: Mapped[str | None] = mapped_column(String(100), index=True)  # e.g. "notice:7"; groups a send
    status: Mapped[str] = mapped_column(String(24), default="queued", index=True)
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # back-off after a temporary error
    # An agent's approval in the inbox waits this long for an undo (inbox.undo_seconds): never claimed before it.
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    sending_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # set just before the channel is called
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    external_id: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)  # why it failed, was skipped or is uncertain
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# The contact policy reads each contact's recent messages: one index walk per window.
Index("ix_outbox_contact_created", OutboxMessage.contact_id, OutboxMessage.created_at)
