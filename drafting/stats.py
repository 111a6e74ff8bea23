"""`careloop stats --json` → drafts_by_status: every status always present, so dashboards can rely on the keys;
drafts_approved_unedited: the share of approved replies that went out exactly as careloop drafted them (no
"edited" event before approval), the figure that says whether drafts save agents work (null before any approval)."""
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from store.audit import DraftAction
from store.models import DRAFT_STATUSES, Draft, DraftEvent


def drafts_by_status(session: Session) -> dict:
    counts = dict(session.execute(select(Draft.status, func.count()).group_by(Draft.status)).all())
    return {"drafts_by_status": {status: int(counts.get(status, 0)) for status in DRAFT_STATUSES},
            "drafts_approved_unedited": approved_unedited(session)}


def approved_unedited(session: Session) -> float | None:
    edit = aliased(DraftEvent)
    edited = exists().where(and_(edit.draft_id == Draft.id, edit.action == DraftAction.EDITED))
    approved = exists().where(and_(DraftEvent.draft_id == Draft.id, DraftEvent.action == DraftAction.APPROVED))
    total, unedited = session.execute(
        select(func.count(), func.count().filter(~edited)).select_from(Draft).where(Draft.kind == "reply", approved)).one()
    return round(unedited / total, 4) if total else None
