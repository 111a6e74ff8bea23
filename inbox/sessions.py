"""Server-side inbox sessions. The signed cookie alone could not be revoked: replayed after logout it worked for
its 12 hours. Now it carries a random token whose hash must be a row of `inbox_sessions`; logout deletes the row,
a password change or disabling the user deletes all of theirs."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.models import InboxSession, User, utcnow

SESSION_HOURS = 12  # one working day; then log in again


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: User) -> str:
    """A new session for `user` (their expired ones are swept on the way); returns the token for the cookie."""
    now = utcnow()
    session.execute(delete(InboxSession).where(InboxSession.user_id == user.id, InboxSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(InboxSession(token_hash=_hash(token), user_id=user.id, created_at=now,
                             expires_at=now + timedelta(hours=SESSION_HOURS)))
    return token


def session_user(session: Session, token: str | None) -> User | None:
    """The active user whose unexpired session this token opened, else None."""
    if not isinstance(token, str) or not token:
        return None
    return session.scalar(
        select(User).join(InboxSession, InboxSession.user_id == User.id)
        .where(InboxSession.token_hash == _hash(token), InboxSession.expires_at > utcnow(), User.active.is_(True))
    )


def end_session(session: Session, token: str | None) -> None:
    if isinstance(token, str) and token:
        session.execute(delete(InboxSession).where(InboxSession.token_hash == _hash(token)))


def end_all_sessions(session: Session, user_id: int) -> int:
    """Sign the user out everywhere; returns how many sessions ended."""
    return session.execute(delete(InboxSession).where(InboxSession.user_id == user_id)).rowcount
