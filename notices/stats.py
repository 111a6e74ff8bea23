"""`careloop stats --json` → notices_by_status (every outbox status) and known_issues_by_status (every status)."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from publishing.outbox import counts_by_status
from store.models import ISSUE_STATUSES, KnownIssueRecord


def notice_stats(session: Session) -> dict:
    issues = dict(session.execute(select(KnownIssueRecord.status, func.count()).group_by(KnownIssueRecord.status)).all())
    return {"notices_by_status": counts_by_status(session, ["notice"]),
            "known_issues_by_status": {status: int(issues.get(status, 0)) for status in ISSUE_STATUSES}}
