"""Which brands a user may see and act on: the one place the inbox's reads and drafting's decisions ask.

An admin may restrict a user to some brands (`User.brands_only` with `User.brands`); such a user then sees
nothing else in the queue, gets 404 for another brand's mention, and every decision or correction they attempt on
one is refused as if it did not exist. Mentions without a brand (and survey follow-ups, which have no mention)
belong to no brand and are hidden from a restricted user too. Unrestricted users, and actors that are not inbox
users (flows, the CLI), see everything.
"""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from .models import Mention, User


def brand_limit(user: User | None) -> list[str] | None:
    """The brands `user` is restricted to, or None when they may see every brand."""
    return list(user.brands or []) if user is not None and user.brands_only else None


def only_visible(query: Select, user: User | None) -> Select:
    """`query` (which selects from or joins `mentions`) narrowed to what `user` may see."""
    limit = brand_limit(user)
    return query if limit is None else query.where(Mention.brand.in_(limit))


def may_see(user: User | None, brand: str | None) -> bool:
    limit = brand_limit(user)
    return limit is None or (brand is not None and brand in limit)


def actor_may_see(session: Session, actor: str, brand: str | None) -> bool:
    """Decisions name their actor by user name: a restricted user's name is checked against their brands."""
    return may_see(user_named(session, actor), brand)


def signed_in(session: Session, user: User) -> User:
    """Remember the request's signed-in user for user_named: their own decisions then ask no more."""
    session.info.setdefault("users_by_name", {})[user.name] = user
    return user


def user_named(session: Session, name: str) -> User | None:
    """The inbox user called `name` (None: an actor that is no user, such as a script), read once per session: an
    approval asks for access and again for the signature, a round trip each (bench/inbox.py on PostgreSQL)."""
    known = session.info.setdefault("users_by_name", {})
    if name not in known:
        known[name] = session.scalar(select(User).where(User.name == name))
    return known[name]
