"""What the mention page shows beside the mention: the whole exchange it belongs to, in order, ours marked; and on
the Approved list, how each approved reply leaves (posted by careloop, or by hand)."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from careloop.config import RepliesConfig
from drafting.eligibility import PLATFORM_REPLY_FIELDS
from store.models import MANUAL, Draft, Mention, MentionRevision, OutboxMessage

EXCHANGE_LIMIT = 200  # messages shown; a conversation longer than this is a thread for the platform itself


def exchange(session: Session, mention: Mention, replies: RepliesConfig | None) -> list[SimpleNamespace]:
    """The conversation `mention` is part of, oldest first: their messages (with a review's earlier wording), our
    replies (`ours`), each with `who`, `text`, `at`, `mention_id` and `current` (the mention on screen). Empty when
    there is no exchange to show (nothing but the mention itself)."""
    root = mention.conversation_id or mention.id
    members = session.scalars(select(Mention).where(or_(Mention.id == root, Mention.conversation_id == root))
                              .order_by(Mention.published_at, Mention.id).limit(EXCHANGE_LIMIT)).all()
    ids = [member.id for member in members]
    sent = session.execute(select(Draft.mention_id, Draft.text, Draft.sent_at, Draft.decided_by, Draft.external_reply_id)
                           .where(Draft.mention_id.in_(ids), Draft.status == "sent")).all()
    revisions = session.scalars(select(MentionRevision).where(MentionRevision.mention_id.in_(ids))
                                .order_by(MentionRevision.id)).all()
    our_ids = {reply.external_reply_id for reply in sent if reply.external_reply_id}
    entries: list[SimpleNamespace] = []
    for member in members:
        if member.external_id in our_ids:
            continue  # our published reply, read back from the platform: shown once, from the draft below
        ours = replies is not None and replies.is_brand_account(member.author)
        said_from = member.published_at
        for revision in (item for item in revisions if item.mention_id == member.id):
            entries.append(_said(member, revision.text, said_from, ours, earlier=True))
            said_from = revision.changed_at
        entries.append(_said(member, member.text, said_from, ours, current=member.id == mention.id))
    read_back = {member.external_id: member for member in members}
    for reply in sent:
        text = _on_platform(members, reply.mention_id) or reply.text
        # the platform's time when we read our reply back: theirs are in the platform's time too
        posted = read_back.get(reply.external_reply_id)
        entries.append(SimpleNamespace(who=f"our reply (approved by {reply.decided_by or 'careloop'})", text=text,
                                       at=posted.published_at if posted else reply.sent_at, ours=True, mention_id=None, current=False,
                                       note="edited on the platform" if text.strip() != reply.text.strip() else ""))
    answered = {reply.mention_id for reply in sent}
    for member in members:  # answered on the platform itself (the store console, the shop's reaction)
        if member.id not in answered and (text := _on_platform(members, member.id)):
            entries.append(SimpleNamespace(who="our reply (on the platform)", text=text, at=member.published_at,
                                           ours=True, mention_id=None, current=False, note=""))
    if len(entries) < 2:
        return []
    return sorted(entries, key=lambda entry: _moment(entry.at))


def _said(member: Mention, text: str, at: datetime | None, ours: bool, *, current: bool = False,
          earlier: bool = False) -> SimpleNamespace:
    return SimpleNamespace(who=member.author or "anonymous", text=text, at=at, ours=ours, mention_id=member.id,
                           current=current, note="their earlier wording, before they edited it" if earlier else "")


def _on_platform(members: list[Mention], mention_id: int) -> str | None:
    """The brand's answer as the platform shows it now (read again with the review: an edit in the store console
    shows here)."""
    member = next((item for item in members if item.id == mention_id), None)
    extra = (member.extra or {}) if member is not None else {}
    return next((str(extra[key]).strip() for key in PLATFORM_REPLY_FIELDS if str(extra.get(key) or "").strip()), None)


def _moment(at: datetime | None) -> float:
    return at.timestamp() if at is not None else float("inf")


# How an approved reply leaves, by its outbox row's status (publishing/outbox.py).
DELIVERY = {MANUAL: "to post by hand", "queued": "will post automatically", "claimed": "will post automatically",
            "uncertain": "being checked", "sent": "posted", "failed": "failed"}


def deliveries(session: Session, draft_ids: list[int]) -> dict[int, SimpleNamespace]:
    """draft id → `state` (a DELIVERY label), `manual`, and for a manual one the `text` to copy and the `url` to open."""
    if not draft_ids:
        return {}
    rows = session.execute(select(OutboxMessage.draft_id, OutboxMessage.status, OutboxMessage.payload)
                           .where(OutboxMessage.draft_id.in_(draft_ids)))
    return {draft_id: SimpleNamespace(state=DELIVERY.get(status, status.replace("_", " ")), manual=status == MANUAL,
                                      text=(payload or {}).get("text") or "", url=(payload or {}).get("url"))
            for draft_id, status, payload in rows}
