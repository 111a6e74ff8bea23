"""Saved replies (canned responses) per language: admins list, add, edit and delete them under /admin/saved-replies;
agents insert them into the reply they edit on a mention's page (the `s` key opens a picker of the draft's
language; templates/inbox/static/flow.js inserts the text at the cursor, as plain characters)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from careloop.config import SUPPORTED_LANGUAGES
from drafting.checks import is_blank
from store.models import SavedReply, User, utcnow

from .web import OptionalRowId, RowId, committed, database, flash, render, require

router = APIRouter()
Admin = Depends(require("manage saved replies"))
MAX_TITLE, MAX_TEXT = 200, 10_000
PAGE = "/admin/saved-replies"


class SavedReplyError(ValueError):
    """The saved reply cannot be stored as given; the message names the field."""


def languages(config) -> list[str]:
    return list(config.languages) if config is not None else list(SUPPORTED_LANGUAGES)


def saved_replies(session: Session, language: str | None = None) -> list[SavedReply]:
    query = select(SavedReply).order_by(SavedReply.language, SavedReply.title)
    return list(session.scalars(query.where(SavedReply.language == language) if language else query))


def save(session: Session, actor: str, language: str, title: str, text: str, allowed: list[str],
         reply_id: int | None = None) -> tuple[SavedReply, bool]:
    """Add a saved reply, or change `reply_id`; returns it and whether anything changed. Saving the same language,
    title and text again changes nothing (a form sent twice)."""
    language, title, text = language.strip(), title.strip(), text.strip()
    if language not in allowed:
        raise SavedReplyError(f"language {language!r} is not one of the configured languages {allowed}")
    if is_blank(title) or len(title) > MAX_TITLE:
        raise SavedReplyError(f"title: 1 to {MAX_TITLE} characters are needed")
    if is_blank(text) or len(text) > MAX_TEXT:
        raise SavedReplyError(f"text: 1 to {MAX_TEXT:,} characters are needed")
    same_title = session.scalar(select(SavedReply).where(SavedReply.language == language, SavedReply.title == title))
    row = session.get(SavedReply, reply_id) if reply_id is not None else same_title
    if reply_id is not None and row is None:
        raise SavedReplyError(f"saved reply #{reply_id} no longer exists (deleted meanwhile)")
    if same_title is not None and same_title is not row:
        raise SavedReplyError(f"a saved reply titled {title!r} already exists in {language}: choose another title")
    if row is None:
        row = SavedReply(language=language, title=title, text=text, updated_by=actor)
        session.add(row)
    elif (row.language, row.title, row.text) == (language, title, text):
        return row, False
    elif reply_id is None:
        raise SavedReplyError(f"a saved reply titled {title!r} already exists in {language}: edit it instead")
    else:
        row.language, row.title, row.text, row.updated_by, row.updated_at = language, title, text, actor, utcnow()
    session.flush()
    return row, True


@router.get(PAGE)
async def list_page(request: Request, edit: OptionalRowId = None, user: User = Admin, session: Session = Depends(database)):
    editing = session.get(SavedReply, edit) if edit else None
    return render(request, "saved_replies.html", user, replies=saved_replies(session), editing=editing,
                  languages=languages(request.app.state.config))


@router.post(PAGE)
async def add_or_edit(request: Request, language: str = Form(""), title: str = Form(""), text: str = Form(""),
                      reply_id: int | None = Form(None), user: User = Admin, session: Session = Depends(database)):
    allowed = languages(request.app.state.config)
    try:
        row, changed = await committed(session, lambda: save(session, user.name, language, title, text, allowed, reply_id))
    except SavedReplyError as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(PAGE + (f"?edit={reply_id}" if reply_id else ""), status_code=303)
    flash(request, f"Saved reply {row.title!r} ({row.language}) " + ("saved." if changed else "unchanged: already saved as given."))
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE + "/{reply_id}/delete")
async def delete(request: Request, reply_id: RowId, user: User = Admin, session: Session = Depends(database)):
    def remove() -> SavedReply | None:
        row = session.get(SavedReply, reply_id)
        if row is not None:
            session.delete(row)
            session.flush()
        return row

    row = await committed(session, remove)
    flash(request, f"Saved reply {row.title!r} ({row.language}) deleted." if row
          else f"Saved reply #{reply_id} was already deleted.")
    return RedirectResponse(PAGE, status_code=303)
