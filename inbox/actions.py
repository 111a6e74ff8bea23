"""Agents' decisions: thin POST handlers around drafting.decisions. Each commits (or rolls back) before it
returns, flashes the outcome and redirects (post/redirect/get); a DecisionError goes back to the mention with
its message. A decision taken on a mention's page (form field `advance`) opens the next item of the agent's queue
filter (inbox/navigation.py); an approval can be undone for inbox.undo_seconds (inbox/flow.py)."""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Callable
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from drafting import decisions
from store.models import Draft, User

from .navigation import after_decision, inbox_settings
from .pages import render_mention
from .security import local_path
from .web import RowId, committed, database, flash, permitted, require

router = APIRouter()


async def decide_and_move_on(request: Request, session: Session, draft_id: int, next: str, done: str,
                             decide: Callable[[], object], advance: bool = False, undo_seconds: int = 0,
                             user: User | None = None):
    """Commit `decide()`, flash `done`, and go on: to the next item of the queue filter when `advance` (from a
    mention's page, for `user`), else back to `next`."""
    next = local_path(next)
    try:
        await committed(session, decide)
    except decisions.DecisionError as exc:
        flash(request, str(exc), "error")
        mention_id = session.scalar(select(Draft.mention_id).where(Draft.id == draft_id))
        if mention_id is not None:
            return RedirectResponse(f"/mentions/{mention_id}?{urlencode({'next': next, 'draft': draft_id})}", status_code=303)
        return RedirectResponse(next, status_code=303)
    flash(request, f"Draft #{draft_id} {done}.")
    _offer_undo(request, draft_id, next, undo_seconds)
    return RedirectResponse(after_decision(request, session, user, draft_id, next, advance), status_code=303)


def _offer_undo(request: Request, draft_id: int, next: str, seconds: int) -> None:
    """The next page shows "Undo" (and `u` presses it) for the approval's window (templates: _undo.html)."""
    if seconds:
        request.session["undo"] = {"draft": draft_id, "next": local_path(next), "until": int(time.time()) + seconds}


@router.post("/drafts/{draft_id}/approve")
async def approve(request: Request, draft_id: RowId, mode: str = Form("as_drafted"), text: str = Form(""), next: str = Form("/"),
            advance: bool = Form(False), user: User = Depends(require("approve reply")), session: Session = Depends(database)):
    edited = text if mode == "edited" else None
    seconds = inbox_settings(request).undo_seconds
    window = timedelta(seconds=seconds)
    if edited is None:
        return await decide_and_move_on(
            request, session, draft_id, next, "approved", advance=advance, undo_seconds=seconds, user=user,
            decide=lambda: decisions.approve(session, draft_id, user.name, config=request.app.state.config,
                                             undo_window=window))
    permitted(user, "edit reply")
    try:
        await committed(session, lambda: decisions.approve(session, draft_id, user.name, edited, config=request.app.state.config,
                                                           undo_window=window))
    except decisions.DecisionError as exc:
        mention_id = session.scalar(select(Draft.mention_id).where(Draft.id == draft_id))
        if mention_id is None:
            raise HTTPException(404, str(exc)) from None
        # The page again, answering this POST, with the agent's text in the editor: a redirect would lose it (it
        # can be far larger than a cookie).
        flash(request, str(exc), "error")
        return render_mention(request, session, user, mention_id, next, draft_id, edited_text=edited, status_code=422)
    flash(request, f"Draft #{draft_id} edited and approved.")
    _offer_undo(request, draft_id, next, seconds)
    return RedirectResponse(after_decision(request, session, user, draft_id, next, advance), status_code=303)


@router.post("/drafts/{draft_id}/reject")
async def reject(request: Request, draft_id: RowId, reason: str = Form(""), next: str = Form("/"),
           advance: bool = Form(False), user: User = Depends(require("reject")), session: Session = Depends(database)):
    return await decide_and_move_on(request, session, draft_id, next, "rejected",
                                    lambda: decisions.reject(session, draft_id, user.name, reason), advance, user=user)


@router.post("/drafts/{draft_id}/escalate")
async def escalate(request: Request, draft_id: RowId, team: str = Form(""), note: str = Form(""), next: str = Form("/"),
             advance: bool = Form(False), user: User = Depends(require("escalate")), session: Session = Depends(database)):
    return await decide_and_move_on(request, session, draft_id, next, f"escalated to {team.strip()}",
                                    lambda: decisions.escalate(session, draft_id, user.name, team, note), advance, user=user)


@router.post("/drafts/{draft_id}/sent")
async def mark_sent(request: Request, draft_id: RowId, next: str = Form("/"), user: User = Depends(require("mark sent")),
              session: Session = Depends(database)):
    return await decide_and_move_on(request, session, draft_id, next, "marked as sent",
                                    lambda: decisions.mark_sent(session, draft_id, user.name))


@router.post("/drafts/{draft_id}/retry")
async def retry(request: Request, draft_id: RowId, next: str = Form("/"), user: User = Depends(require("retry publishing")),
          session: Session = Depends(database)):
    return await decide_and_move_on(request, session, draft_id, next, "queued for another attempt",
                                    lambda: decisions.retry(session, draft_id, user.name))


@router.post("/mentions/{mention_id}/sentiment")
async def correct_sentiment(request: Request, mention_id: RowId, label: str = Form(""), next: str = Form("/"),
                      user: User = Depends(require("correct sentiment")), session: Session = Depends(database)):
    back = f"/mentions/{mention_id}?{urlencode({'next': local_path(next)})}"
    try:
        await committed(session, lambda: decisions.correct_sentiment(session, mention_id, user.name, label))
        flash(request, f"Sentiment of mention #{mention_id} corrected to {label}.")
    except decisions.DecisionError as exc:
        flash(request, str(exc), "error")
    return RedirectResponse(back, status_code=303)
