"""Internal notes on a mention: for the team, shown on the mention page with author and time (newest last), never
sent out. Text from agents is rendered autoescaped like everything else."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from drafting.checks import is_blank
from store.models import MentionNote, User, utcnow

from .queries import visible_mention
from .security import local_path
from .web import RowId, committed, database, flash, require

router = APIRouter()
MAX_NOTE = 5_000  # characters: a note is a few lines for colleagues, not a document


def notes_of(session: Session, mention_id: int) -> list[SimpleNamespace]:
    rows = session.execute(select(MentionNote.id, MentionNote.text, MentionNote.created_at, User.name, User.display_name)
                           .join(User, User.id == MentionNote.user_id)
                           .where(MentionNote.mention_id == mention_id).order_by(MentionNote.created_at, MentionNote.id))
    return [SimpleNamespace(id=row.id, text=row.text, created_at=row.created_at,
                            author=(row.display_name or "").strip() or row.name) for row in rows]


def add_note(session: Session, mention_id: int, user: User, text: str, at: datetime | None = None) -> MentionNote:
    if is_blank(text):
        raise ValueError("the note is empty")
    if len(text) > MAX_NOTE:
        raise ValueError(f"the note has {len(text)} characters: at most {MAX_NOTE}")
    note = MentionNote(mention_id=mention_id, user_id=user.id, text=text.strip(), created_at=at or utcnow())
    session.add(note)
    session.flush()
    return note


@router.post("/mentions/{mention_id}/notes")
async def post_note(request: Request, mention_id: RowId, text: str = Form(""), next: str = Form("/"),
                    user: User = Depends(require("add notes")), session: Session = Depends(database)):
    visible_mention(session, user, mention_id)
    try:
        await committed(session, lambda: add_note(session, mention_id, user, text))
        flash(request, "Note added (internal: never sent out).")
    except ValueError as exc:
        flash(request, f"Note not added: {exc}.", "error")
    return RedirectResponse(f"/mentions/{mention_id}?{urlencode({'next': local_path(next)})}#notes", status_code=303)
