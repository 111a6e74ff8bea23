"""One contact policy for every message a customer gets from us, with consent, unsubscription and suppression.

A sender (notices, surveys, review requests …) builds one `Gate` per send and asks it about each recipient:

    gate = Gate(session, config, consent_kind="service")
    for contact in audience:                    # rows with id, email, consent_<kind>, unsubscribed_<kind>_at
        status, reason = gate.check(contact)    # "queued", or skipped_unsubscribed / skipped_consent / skipped_policy
        rows.append(gate.outbox_row(contact, status, reason, key=…, kind=…, campaign=…, payload=…))
    enqueue_many(session, rows)

Checked in this order, the first "no" wins: suppressed address (bounced, complained, erased) and unsubscription
from this kind → skipped_unsubscribed; no consent to this kind → skipped_consent; the contact policy →
skipped_policy. The policy (`contact_policy:` in careloop.yaml) limits non-exempt kinds: at most `max_per_window`
messages in the rolling `window_days`, and at least `min_gap_days` since the last message of any kind. Exempt
kinds are not limited but still count toward the others' windows and gaps. Counted: outbox rows to the contact
with a consent kind, queued, claimed, sent or uncertain (what may have reached them), at their sent time or, not
sent yet, their queue time — and what this gate let through, so one send cannot contact a person twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from careloop.config import CONSENT_KINDS, Config
from store.models import OutboxMessage, utcnow
from store.outreach import email_hash, suppressed_hashes

COUNTED = ("queued", "claimed", "sent", "uncertain")


def _days(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} hours" if hours < 48 else f"{hours / 24:.0f} days"


class Gate:
    def __init__(self, session: Session, config: Config, consent_kind: str, now: datetime | None = None):
        if consent_kind not in CONSENT_KINDS:
            raise ValueError(f"unknown consent kind {consent_kind!r}; expected one of {list(CONSENT_KINDS)}")
        self.kind, self.policy, self.now = consent_kind, config.contact_policy, now or utcnow()
        self.exempt = consent_kind in self.policy.exempt
        self.window = timedelta(days=self.policy.window_days)
        self.gap = timedelta(days=self.policy.min_gap_days)
        self.suppressed = suppressed_hashes(session)
        self.recent: dict[int, list] = {} if self.exempt else self._recent(session)

    def _recent(self, session: Session) -> dict[int, list]:
        """contact id → [messages in the window, time of the last message]: one grouped query for the whole send."""
        at = func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at)
        since = self.now - max(self.window, self.gap)
        rows = session.execute(
            select(OutboxMessage.contact_id, func.count().filter(at > self.now - self.window), func.max(at))
            .where(OutboxMessage.contact_id.is_not(None), OutboxMessage.consent_kind.is_not(None),
                   OutboxMessage.status.in_(COUNTED), at > since)
            .group_by(OutboxMessage.contact_id))
        return {contact_id: [count, last] for contact_id, count, last in rows}

    def check(self, contact: Any) -> tuple[str, str | None]:
        """("queued", None) or (skipped status, reason) for one contact (an ORM row or a Core row)."""
        reason = self.suppressed and self.suppressed.get(email_hash(contact.email))  # no list, no hashing
        if reason:
            return "skipped_unsubscribed", f"address suppressed ({reason})"
        unsubscribed = getattr(contact, f"unsubscribed_{self.kind}_at")
        if unsubscribed is not None:
            return "skipped_unsubscribed", f"unsubscribed from {self.kind} messages on {unsubscribed:%Y-%m-%d}"
        if not getattr(contact, f"consent_{self.kind}"):
            return "skipped_consent", f"no consent to {self.kind} messages"
        if not self.exempt:
            count, last = self.recent.get(contact.id, (0, None))
            if count >= self.policy.max_per_window:
                return "skipped_policy", (f"{count} messages in the last {self.policy.window_days:g} days "
                                          f"(contact_policy.max_per_window is {self.policy.max_per_window})")
            if last is not None and self.now - last < self.gap:
                return "skipped_policy", (f"last message {_days(self.now - last)} ago "
                                          f"(contact_policy.min_gap_days is {self.policy.min_gap_days:g})")
        entry = self.recent.setdefault(contact.id, [0, None])
        entry[0], entry[1] = entry[0] + 1, self.now
        return "queued", None

    def outbox_row(self, contact: Any, status: str, reason: str | None, *, key: str, kind: str, campaign: str,
                   payload: dict, channel: str = "email") -> dict:
        """The outbox row for this contact: queued, or skipped with its reason (never sent, always counted)."""
        return {"key": key, "kind": kind, "channel": channel, "contact_id": contact.id, "consent_kind": self.kind,
                "campaign": campaign, "status": status, "error": reason, "payload": payload, "created_at": self.now}
