"""Who an agent is to customers and what they work on: their own profile page (display name, a signature per brand,
languages and brands the queue opens on) and an admin's page for any user, which can also restrict them to their
brands (store/access.py). The mention page's preview of the signature that approval will append is made here."""
from __future__ import annotations

from types import SimpleNamespace

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from careloop.config import Config
from drafting.checks import length_limit
from drafting.signatures import signature_for
from store.models import Draft, Mention, User, signed

from .queries import known_brands_and_languages
from .users import UserError, update_profile
from .web import RowId, committed, database, flash, render, require

router = APIRouter()


def signature_preview(session: Session, user: User, mention: Mention, draft: Draft | None,
                      config: Config | None) -> SimpleNamespace | None:
    """The signature approving this draft would append, and the signed length against the platform's limit."""
    if draft is None or draft.survey_answer_id is not None or draft.status in ("approved", "sent"):
        return None
    text = signature_for(session, user.name, mention.brand, draft.language or mention.language, config)
    limit = length_limit(mention.source_type, config.replies if config is not None else None)
    return SimpleNamespace(text=text, length=len(signed(draft.text, text)), limit=limit)


def _address(subject: User, restrict: bool) -> str:
    return f"/admin/users/{subject.id}" if restrict else "/profile"


def _page(request: Request, session: Session, viewer: User, subject: User, *, restrict: bool, status_code: int = 200):
    """`restrict`: the admin's page, which also sets the brands restriction."""
    brands, languages = known_brands_and_languages(session, request.app.state.config)
    return render(request, "profile.html", viewer, subject=subject, brands=brands, languages=languages,
                  restrict=restrict, action=_address(subject, restrict), status_code=status_code)


async def _save(request: Request, session: Session, viewer: User, subject: User, *, restrict: bool):
    form = await request.form()
    brands, languages = known_brands_and_languages(session, request.app.state.config)
    signatures = {key.removeprefix("signature:"): str(value) for key, value in form.items() if key.startswith("signature:")}
    try:
        await committed(session, lambda: update_profile(
            session, subject, display_name=str(form.get("display_name", "")), signatures=signatures,
            languages=[str(value) for value in form.getlist("language")], brands=[str(value) for value in form.getlist("brand")],
            known_languages=languages, known_brands=brands,
            brands_only=form.get("brands_only") == "1" if restrict else None))
    except UserError as exc:
        session.refresh(subject)
        flash(request, f"Not saved: {exc}.", "error")
        return _page(request, session, viewer, subject, restrict=restrict, status_code=422)
    flash(request, f"Saved {subject.name}'s profile.")
    return RedirectResponse(_address(subject, restrict), status_code=303)


@router.get("/profile")
async def own_profile(request: Request, user: User = Depends(require("edit own profile")),
                      session: Session = Depends(database)):
    return _page(request, session, user, user, restrict=False)


@router.post("/profile")
async def save_own_profile(request: Request, user: User = Depends(require("edit own profile")),
                           session: Session = Depends(database)):
    # the brands restriction is the admin's to set, also on their own profile (the admin page)
    return await _save(request, session, user, user, restrict=False)


def _subject(session: Session, user_id: int) -> User:
    subject = session.get(User, user_id)
    if subject is None:
        raise HTTPException(404, f"User #{user_id} does not exist.")
    return subject


@router.get("/admin/users/{user_id}")
async def user_profile(request: Request, user_id: RowId, admin: User = Depends(require("manage users")),
                       session: Session = Depends(database)):
    return _page(request, session, admin, _subject(session, user_id), restrict=True)


@router.post("/admin/users/{user_id}")
async def save_user_profile(request: Request, user_id: RowId, admin: User = Depends(require("manage users")),
                            session: Session = Depends(database)):
    return await _save(request, session, admin, _subject(session, user_id), restrict=True)
