"""Agents' corrections of what careloop understood: a mention's topic, and "not about us" (one key, `n`, in the
queue) or "about us after all". Thin POST handlers around drafting.relabel; post/redirect/get like actions.py."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from drafting import relabel
from drafting.decisions import DecisionError
from store.models import User

from .queries import topic_names
from .security import local_path
from .web import RowId, committed, database, flash, require

router = APIRouter()
Corrector = Depends(require("correct understanding"))


async def _corrected(request: Request, session: Session, back: str, done: str, correct) -> RedirectResponse:
    if request.app.state.config is None:
        flash(request, "Corrections need the careloop.yaml the drafts were made with: start the inbox with --config.", "error")
        return RedirectResponse(back, status_code=303)
    try:
        await committed(session, lambda: correct(request.app.state.config))
        flash(request, done)
    except DecisionError as exc:
        flash(request, str(exc), "error")
    return RedirectResponse(back, status_code=303)


@router.post("/mentions/{mention_id}/topic")
async def set_topic(request: Request, mention_id: RowId, topic: str = Form(""), next: str = Form("/"),
                    user: User = Corrector, session: Session = Depends(database)):
    back = f"/mentions/{mention_id}?{urlencode({'next': local_path(next)})}"
    return await _corrected(request, session, back, f"Topic of mention #{mention_id} set to {topic}.",
                      lambda config: relabel.set_topic(session, mention_id, user.name, topic, config, topic_names(config)))


@router.post("/mentions/{mention_id}/relevance")
async def mark_relevance(request: Request, mention_id: RowId, relevance: str = Form(""), next: str = Form("/"),
                         stay: str = Form(""), user: User = Corrector, session: Session = Depends(database)):
    """From the queue (`n`) the agent stays in the queue; from the mention page, back to the mention."""
    back = local_path(next) if stay else f"/mentions/{mention_id}?{urlencode({'next': local_path(next)})}"
    done = f"Mention #{mention_id} marked {'not about us' if relevance == 'not_about' else 'about us'}."
    return await _corrected(request, session, back, done,
                      lambda config: relabel.mark_relevance(session, mention_id, user.name, relevance, config))
