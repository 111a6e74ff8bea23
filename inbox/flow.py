"""Two decisions of the agents' flow through the queue: "no reply needed" with a reason (the `n` key on a mention's
page), and undoing an approval within inbox.undo_seconds (the flash's Undo button and the `u` key)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from drafting import decisions
from store.models import Draft, User

from .actions import decide_and_move_on
from .navigation import item_href
from .security import local_path
from .web import RowId, committed, database, flash, require

router = APIRouter()


@router.post("/drafts/{draft_id}/no-reply")
async def no_reply(request: Request, draft_id: RowId, reason: str = Form(""), detail: str = Form(""),
                   next: str = Form("/"), advance: bool = Form(False), user: User = Depends(require("mark no reply needed")),
                   session: Session = Depends(database)):
    label = decisions.NO_REPLY_REASONS.get(reason, reason)
    return await decide_and_move_on(request, session, draft_id, next, f"marked no reply needed ({label})",
                                    lambda: decisions.no_reply(session, draft_id, user.name, reason, detail), advance, user=user)


@router.post("/drafts/{draft_id}/undo")
async def undo(request: Request, draft_id: RowId, next: str = Form("/"), user: User = Depends(require("approve reply")),
               session: Session = Depends(database)):
    """Back to the draft whose approval was undone (or tried): the agent undid it to change something there."""
    next = local_path(next)
    try:
        draft = await committed(session, lambda: decisions.undo_approval(session, draft_id, user.name))
        flash(request, f"Approval of draft #{draft_id} undone: it is {draft.status.replace('_', ' ')} again and "
                       "nothing was sent.")
    except decisions.DecisionError as exc:
        flash(request, str(exc), "error")
        draft = session.get(Draft, draft_id)
    return RedirectResponse(item_href(draft, next) if draft is not None else next, status_code=303)
