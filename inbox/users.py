"""Inbox users: argon2-hashed passwords, roles, and the demo login `careloop demo` prints once."""
from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import User

ROLES = ("agent", "marketing", "admin")
DEMO_USER = "demo"
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name costs as long as a wrong password. Made on first
    use: hashing takes ~0.3 s, which every `careloop` command would pay at import."""
    return _hasher.hash(secrets.token_urlsafe(16))


class UserError(ValueError):
    """The user cannot be created as asked; the message says why."""


def add_user(session: Session, name: str, role: str, password: str, display_name: str | None = None) -> User:
    name = name.strip()
    if not name:
        raise UserError("a user name is required")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of {list(ROLES)}")
    if len(password) < 8:
        raise UserError("the password must have at least 8 characters")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise UserError(f"user {name!r} already exists")
    user = User(name=name, role=role, password_hash=_hasher.hash(password), display_name=display_name, active=True)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.name == name.strip(), User.active.is_(True)))
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def ensure_demo_user(session: Session) -> tuple[str, str] | None:
    """Create the `demo` agent with a random password the first time and return (name, password); later None."""
    if session.scalar(select(User.id).where(User.name == DEMO_USER)) is not None:
        return None
    password = secrets.token_urlsafe(12)
    add_user(session, DEMO_USER, "agent", password, display_name="Demo agent")
    return DEMO_USER, password
