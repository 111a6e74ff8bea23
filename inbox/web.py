"""What every inbox route shares: the database session, the signed-in user and the permission check
(`require(action)`, actions declared in careloop/permissions.py), page rendering with CSRF token and flash messages."""
from __future__ import annotations

import asyncio
import time
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated, AsyncIterator, Callable, TypeVar

from fastapi import Depends, HTTPException, Path as PathParameter, Query, Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from careloop.permissions import action as declared_action, can
from careloop.urls import safe_url
from drafting.decisions import ALLOWED_FROM, NO_REPLY_REASONS
from store.access import signed_in
from store.models import Draft, User, utcnow

from .display import age_words, metadata_fields, source_label
from .security import CSRF_FIELD, csrf_token
from .sessions import session_user

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates" / "inbox"

# autoescape everywhere: every value from a mention is hostile text and must render as text.
# auto_reload off: the pages ship with the package, and checking each template file's mtime on every render was
# ~1 % of a queue page's CPU (bench/inbox.py).
_environment = Environment(loader=FileSystemLoader(TEMPLATES_DIR / "pages"), autoescape=True, undefined=StrictUndefined,
                           auto_reload=False)
templates = Jinja2Templates(env=_environment)


def ago(moment: datetime | None) -> str:
    return age_words(moment, utcnow())


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "–"


_environment.filters.update(ago=ago, when=when, safe_url=safe_url)
_environment.globals.update(CSRF_FIELD=CSRF_FIELD, can=can, NO_REPLY_REASONS=NO_REPLY_REASONS,  # buttons follow permissions
                            source_label=source_label, metadata_fields=metadata_fields)


# Row ids are INTEGER columns (32-bit on PostgreSQL): a larger id names nothing, and reached the database as an
# OverflowError (500). Out of range in the path is a 404 (see the app's validation handler).
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, PathParameter(ge=1, le=MAX_ROW_ID)]
OptionalRowId = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)]


LOCK_PATIENCE = 5.0  # seconds a write on the event loop keeps retrying a locked SQLite database before 503
BUSY_TIMEOUT_MS = 250  # the inbox's SQLite busy timeout: how long one try may block the worker's event loop
T = TypeVar("T")


async def committed(session: Session, work: Callable[[], T]) -> T:
    """`work()` then commit, on the event loop. On a locked SQLite database one try fails after BUSY_TIMEOUT_MS
    (not the 10 s a command waits: that froze the worker, static files included); the transaction is rolled
    back and tried again after a pause in which the worker serves other requests, for up to LOCK_PATIENCE s.
    Then the OperationalError goes up and the app answers 503 with Retry-After; nothing was half-written."""
    deadline, pause = time.monotonic() + LOCK_PATIENCE, 0.05
    while True:
        try:
            result = work()
            session.commit()
            return result
        except OperationalError as error:
            session.rollback()
            if "locked" not in str(error.orig) or time.monotonic() + pause > deadline:
                raise
        except BaseException:
            session.rollback()
            raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.5)


class LoginRequired(Exception):
    """Raised by `current_user`; the app answers with a redirect to /login that comes back here."""

    def __init__(self, back_to: str):
        self.back_to = back_to


async def database(request: Request) -> AsyncIterator[Session]:
    """One session per request; routes that change data commit themselves before redirecting."""
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.close()


async def current_user(request: Request, session: Session = Depends(database)) -> User:
    # Looked up on every request (one indexed join), so logout, a password change or deactivation ends a session at once.
    user = session_user(session, request.session.get("sid"))
    if user is None:
        back_to = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(back_to)
    return signed_in(session, user)


@cache  # one dependency per action: FastAPI then resolves it once per request however often a route names it
def require(action: str):
    """Dependency: the signed-in user, if their role may perform `action` (careloop/permissions.py); else 403.
    An action the table does not declare fails here, when the route is defined, not on a user's request."""
    declared_action(action)

    async def check(user: User = Depends(current_user)) -> User:
        return permitted(user, action)
    check.action = action  # read by the test that every route requires a declared action
    return check


def permitted(user: User, action: str) -> User:
    """`user`, if their role may perform `action`; else 403 naming the role and the action."""
    if not can(user, action):
        raise HTTPException(403, f"Your role ({user.role}) does not allow this page or action ({action}).")
    return user


# The action each of drafting's decisions needs (a decision's button shows only to who may take it).
DECISION_ACTIONS = {"approve": "approve reply", "reject": "reject", "escalate": "escalate", "mark as sent": "mark sent",
                    "retry": "retry publishing", "no reply": "mark no reply needed", "undo": "approve reply"}


def allowed_decisions(user: User, draft: Draft | None) -> set[str]:
    """The decisions drafting allows from the draft's status that the user's role allows: the buttons shown, so
    page and POST never disagree."""
    if draft is None:
        return set()
    return {decision for decision, statuses in ALLOWED_FROM.items()
            if draft.status in statuses and can(user, DECISION_ACTIONS[decision])}


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session.setdefault("flash", []).append([kind, message])


def render(request: Request, template: str, user: User | None, status_code: int = 200, **context):
    # undo: the approval the agent may still take back (inbox/actions.py), shown once beside the flash
    context.update(user=user, csrf=csrf_token(request), flashes=request.session.pop("flash", []),
                   undo=request.session.pop("undo", None))
    return templates.TemplateResponse(request, template, context, status_code=status_code)
