"""`careloop stats --json` keys of the reports stage: messages the outbox sent for digests and alerts."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import OutboxMessage


def reports_stats(session: Session) -> dict:
    """`digests_sent`: digest e-mails sent (one per subscriber and digest); `alerts_sent`: alert e-mails and
    webhook posts sent."""
    sent = dict(session.execute(select(OutboxMessage.kind, func.count()).where(
        OutboxMessage.kind.in_(("digest", "alert")), OutboxMessage.status == "sent").group_by(OutboxMessage.kind)).all())
    return {"digests_sent": sent.get("digest", 0), "alerts_sent": sent.get("alert", 0)}
