"""Inbox users: argon2-hashed passwords, roles, and the demo login `careloop demo` prints once."""
from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from careloop.permissions import ROLES
from store.models import User

from .sessions import end_all_sessions

DEMO_USER = "demo"
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name costs as long as a wrong password. Made on first
    use: hashing takes ~0.3 s, which every `careloop` command would pay at import."""
    return _hasher.hash(secrets.token_urlsafe(16))


class UserError(ValueError):
    """The user cannot be created as asked; the message says why."""


def add_user(session: Session, name: str, role: str, password: str, display_name: str | None = None,
             email: str | None = None) -> User:
    name = name.strip()
    if not name:
        raise UserError("a user name is required")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of {list(ROLES)}")
    _check_password(password)
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise UserError(f"user {name!r} already exists")
    if email is not None and "@" not in email:
        raise UserError(f"{email!r} is not an e-mail address")
    user = User(name=name, role=role, password_hash=_hasher.hash(password), display_name=display_name, active=True,
                email=email.strip().lower() if email else None)
    session.add(user)
    session.flush()
    return user


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise UserError("the password must have at least 8 characters")


MAX_DISPLAY_NAME = 100
MAX_SIGNATURE = 300  # characters: a line or two; the platform's length limit counts it against the reply


def update_profile(session: Session, user: User, *, display_name: str, signatures: dict[str, str], languages: list[str],
                   brands: list[str], known_languages: list[str], known_brands: list[str],
                   brands_only: bool | None = None) -> User:
    """Set what the user signs with and works on; `brands_only` (an admin's restriction) only when given.
    Raises UserError naming the field that cannot be saved; nothing is changed then."""
    display_name = " ".join(display_name.split())
    if len(display_name) > MAX_DISPLAY_NAME:
        raise UserError(f"the display name has {len(display_name)} characters: at most {MAX_DISPLAY_NAME}")
    cleaned = {}
    for brand, signature in signatures.items():
        signature = "\n".join(line.strip() for line in signature.strip().splitlines())
        if not signature:
            continue
        if brand not in known_brands:
            raise UserError(f"a signature for {brand!r}, which is not a brand of careloop.yaml ({', '.join(known_brands)})")
        if len(signature) > MAX_SIGNATURE:
            raise UserError(f"the signature for {brand} has {len(signature)} characters: at most {MAX_SIGNATURE}")
        if any(mark in signature for mark in ("{{", "}}", "{%", "%}", "{#", "#}")):
            raise UserError(f"the signature for {brand} has template syntax ({{{{, {{% or {{#}}), which no reply may carry")
        cleaned[brand] = signature
    for field, chosen, known in (("language", languages, known_languages), ("brand", brands, known_brands)):
        unknown = [value for value in chosen if value not in known]
        if unknown:
            raise UserError(f"unknown {field} {unknown[0]!r}; expected one of {known}")
    if brands_only and not brands:
        raise UserError("restricting a user to their brands needs at least one brand ticked")
    user.display_name = display_name or None
    user.signatures, user.languages, user.brands = cleaned, list(dict.fromkeys(languages)), list(dict.fromkeys(brands))
    if brands_only is not None:
        user.brands_only = brands_only
    session.flush()
    return user


def _existing(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        raise UserError(f"no user {name!r} (see `careloop user add`)")
    return user


def set_password(session: Session, name: str, password: str) -> int:
    """Change the password and end the user's sessions (whoever knew the old one is signed out); returns how many."""
    _check_password(password)
    user = _existing(session, name)
    user.password_hash = _hasher.hash(password)
    return end_all_sessions(session, user.id)


def set_active(session: Session, name: str, active: bool) -> int:
    """Enable or disable a login; disabling ends the user's sessions. Returns how many sessions ended."""
    user = _existing(session, name)
    user.active = active
    return 0 if active else end_all_sessions(session, user.id)


def active_user(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name.strip(), User.active.is_(True)))


def password_matches(user: User | None, password: str) -> bool:
    """argon2 verification (~0.3 s of CPU: callers on an event loop run it in a thread); as long for an unknown
    user as for a wrong password."""
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None


def ensure_demo_user(session: Session, name: str = DEMO_USER, role: str = "agent",
                     email: str | None = None) -> tuple[str, str] | None:
    """Create a demo user (the `demo` agent by default) with a random password the first time and return
    (name, password); later None."""
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        return None
    password = secrets.token_urlsafe(12)
    add_user(session, name, role, password, display_name=f"Demo {role}", email=email)
    return name, password
