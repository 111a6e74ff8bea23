"""Claims on mentions: "Jana is on it". Opening a mention's page claims it for CLAIM_MINUTES, renewed while the page
stays open; others see who holds it and cannot decide on it without taking it over (recorded in the audit log);
the holder's decision releases it.

Taking and renewing is one conditional upsert (INSERT … ON CONFLICT DO UPDATE … WHERE the row is ours or expired,
RETURNING): two agents opening the same mention at once get one claim between them, on SQLite and PostgreSQL.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .audit import DraftAction
from .models import Draft, DraftEvent, MentionClaim, User, utcnow

CLAIM_MINUTES = 5  # long enough to read and answer one item; the page renews it every minute (claims.js)


@dataclass(frozen=True)
class Holder:
    user_id: int
    name: str  # login name: what decisions name their actor by
    shown_name: str  # what others read: "Jana is on it"
    expires_at: datetime


def _upsert(session: Session, mention_id: int, user_id: int, also_from: int | None = None) -> bool:
    """Claim or renew; True when `user_id` holds the claim afterwards. A live claim of someone else is kept unless
    it is `also_from`'s (a take-over of the holder the agent saw)."""
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[session.get_bind().dialect.name]
    now = utcnow()
    ours = [MentionClaim.user_id == user_id, MentionClaim.expires_at <= now]
    if also_from is not None:
        ours.append(MentionClaim.user_id == also_from)
    statement = insert(MentionClaim).values(mention_id=mention_id, user_id=user_id, claimed_at=now,
                                            expires_at=now + timedelta(minutes=CLAIM_MINUTES))
    statement = statement.on_conflict_do_update(
        index_elements=["mention_id"], where=or_(*ours),
        set_={"user_id": user_id, "expires_at": now + timedelta(minutes=CLAIM_MINUTES),
              # a renewal keeps when the claim began; a new holder starts now
              "claimed_at": case((MentionClaim.user_id == user_id, MentionClaim.claimed_at),
                                 else_=statement.excluded.claimed_at)},
    ).returning(MentionClaim.user_id)
    return session.scalar(statement) == user_id


def claim(session: Session, mention_id: int, user: User) -> Holder | None:
    """Take or renew the claim on the mention for `user`. Returns None when `user` holds it now, else who does.
    The caller commits."""
    if _upsert(session, mention_id, user.id):
        return None
    return holder(session, mention_id)


def take_over(session: Session, mention_id: int, user: User, from_name: str) -> bool:
    """Take the claim from `from_name` (the holder the agent saw), recorded on the mention's reply draft's audit
    log. False when someone else took it meanwhile (the agent sees the new holder and decides again)."""
    previous = holder(session, mention_id)
    if previous is not None and previous.name not in (from_name, user.name):
        return False
    if not _upsert(session, mention_id, user.id, also_from=previous.user_id if previous else None):
        return False
    if previous is not None and previous.user_id != user.id:
        draft = session.scalar(select(Draft).where(Draft.mention_id == mention_id).order_by(Draft.id).limit(1))
        if draft is not None:
            session.add(DraftEvent(draft_id=draft.id, mention_id=mention_id, at=utcnow(), actor=user.name,
                                   action=DraftAction.TAKEN_OVER, from_status=draft.status, to_status=draft.status,
                                   note=f"took over from {previous.shown_name}"))
            session.flush()
    return True


def holder(session: Session, mention_id: int) -> Holder | None:
    """Who holds a live claim on the mention, if anyone."""
    row = session.execute(select(User.id, User.name, User.display_name, MentionClaim.expires_at)
                          .join(User, User.id == MentionClaim.user_id)
                          .where(MentionClaim.mention_id == mention_id, MentionClaim.expires_at > utcnow())).first()
    return Holder(row.id, row.name, (row.display_name or "").strip() or row.name, row.expires_at) if row else None


def holders(session: Session, mention_ids: list[int]) -> dict[int, str]:
    """{mention id: shown name} of the live claims among `mention_ids` (one query, for a queue page)."""
    if not mention_ids:
        return {}
    rows = session.execute(select(MentionClaim.mention_id, User.name, User.display_name)
                           .join(User, User.id == MentionClaim.user_id)
                           .where(MentionClaim.mention_id.in_(mention_ids), MentionClaim.expires_at > utcnow()))
    return {mention_id: (display or "").strip() or name for mention_id, name, display in rows}


def blocking_holder(session: Session, mention_id: int, actor: str) -> Holder | None:
    """The live claim of someone other than `actor`, which a decision by `actor` must not pass."""
    found = holder(session, mention_id)
    return found if found is not None and found.name != actor else None


def release(session: Session, mention_id: int) -> None:
    """The item is decided: nobody needs to be on it any more."""
    session.execute(delete(MentionClaim).where(MentionClaim.mention_id == mention_id))
