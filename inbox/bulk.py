"""Bulk actions on the queue: the ticked drafts of a page marked "no reply needed" (with a reason), rejected or
escalated at once. Two steps: the first POST shows what will happen to how many drafts (nothing changes yet), the
second — "confirm" — applies it through drafting.bulk: one decision and one audit row per draft, drafts another
agent decided meanwhile skipped and reported."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from drafting import bulk
from drafting.decisions import NO_REPLY_REASONS, DecisionError
from store.access import only_visible
from store.models import Draft, Mention, User

from .queries import SNIPPET
from .security import local_path
from .web import committed, database, flash, render, require

router = APIRouter()
DECISION_LABELS = {"no_reply": "No reply needed", "reject": "Reject", "escalate": "Escalate"}


def _arguments(decision: str, reason: str, team: str, note: str) -> dict:
    """The decision function's arguments from the bulk form's fields."""
    if decision == "no_reply":
        return {"reason": reason, "detail": note}
    if decision == "escalate":
        return {"team": team, "note": note}
    return {"reason": note}


def _description(decision: str, reason: str, team: str, note: str) -> str:
    if decision == "no_reply":
        return f"no reply needed: {NO_REPLY_REASONS.get(reason, reason)}" + (f" ({note.strip()})" if note.strip() else "")
    if decision == "escalate":
        return f"escalate to {team.strip()}" + (f" ({note.strip()})" if note.strip() else "")
    return f"reject: {note.strip()}"


@router.post("/drafts/bulk")
async def bulk_action(request: Request, draft: list[int] = Form([]), decision: str = Form(""), status: str = Form("pending"),
                      reason: str = Form("other"), team: str = Form(""), note: str = Form(""), confirm: bool = Form(False),
                      next: str = Form("/"), user: User = Depends(require("bulk actions")), session: Session = Depends(database)):
    next = local_path(next)
    arguments = _arguments(decision, reason, team, note)
    # a user restricted to some brands acts on nothing else: other drafts are left out as if not there
    visible = set(session.scalars(only_visible(select(Draft.id).outerjoin(Mention, Mention.id == Draft.mention_id)
                                               .where(Draft.id.in_(draft)), user)))
    draft = [draft_id for draft_id in draft if draft_id in visible]
    if not confirm:
        try:  # what would be done and skipped; nothing changes
            preview = bulk.decide_many(session, draft, user.name, decision, status, dry_run=True, **arguments)
        except DecisionError as exc:
            flash(request, str(exc), "error")
            return RedirectResponse(next, status_code=303)
        items = session.execute(
            select(Draft.id, Draft.status, Mention.author, func.substr(Mention.text, 1, SNIPPET).label("text"))
            .outerjoin(Mention, Mention.id == Draft.mention_id).where(Draft.id.in_(draft)).order_by(Draft.priority.desc(), Draft.id)
        ).all()
        return render(request, "bulk_confirm.html", user, items=items, preview=preview, ids=list(dict.fromkeys(draft)),
                      decision=decision, label=DECISION_LABELS.get(decision, decision), status=status, reason=reason,
                      team=team, note=note, next=next, description=_description(decision, reason, team, note))
    try:
        outcome = await committed(session, lambda: bulk.decide_many(session, draft, user.name, decision, status, **arguments))
    except DecisionError as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(next, status_code=303)
    flash(request, outcome.summary() + ".", "ok" if outcome.done or not outcome.skipped else "error")
    return RedirectResponse(next, status_code=303)
