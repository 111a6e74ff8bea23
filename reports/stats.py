"""`careloop stats --json` keys of the reports stage: messages the outbox sent for digests and alerts."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import POSSIBLE_ISSUE_STATUSES, OutboxMessage, PossibleIssue


def reports_stats(session: Session) -> dict:
    """`digests_sent`: digest e-mails sent (one per subscriber and digest); `alerts_sent`: alert e-mails and
    webhook posts sent; `possible_issues_by_status`: emerging issues proposed, accepted, dismissed."""
    sent = dict(session.execute(select(OutboxMessage.kind, func.count()).where(
        OutboxMessage.kind.in_(("digest", "alert")), OutboxMessage.status == "sent").group_by(OutboxMessage.kind)).all())
    possible = dict(session.execute(select(PossibleIssue.status, func.count()).group_by(PossibleIssue.status)).all())
    return {"digests_sent": sent.get("digest", 0), "alerts_sent": sent.get("alert", 0),
            "possible_issues_by_status": {status: possible.get(status, 0) for status in POSSIBLE_ISSUE_STATUSES}}
