"""Conversations continue: a mention that answers our published reply, or a new comment in a thread we answered,
joins the exchange of the mention we answered (`mentions.conversation_id`), instead of arriving as an unrelated
mention. Set once, at ingest, for the mentions a run stored; the mention page then shows the whole exchange.

"We answered" a mention when its reply (or follow-up) draft was sent, or when one of `replies.brand_accounts`
answered it on the platform. Our reply is found by the id the platform gave it (`drafts.external_reply_id`) or as a
stored mention written by a brand account. The parent chain is walked first (a reply to our reply, a reply to that);
a comment elsewhere in a thread we answered falls back to the thread (Reddit's `link_id`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from careloop.config import RepliesConfig
from store.models import Draft, Mention

MAX_DEPTH = 20  # parents walked up; Reddit nests comments at most 10 deep before "continue this thread"
CHUNK = 500  # ids per IN (…): far below SQLite's limit of bound parameters
ANSWERED = ("sent",)  # draft statuses that mean our words are on the platform


def attach_conversations(session: Session, mention_ids: set[int], replies: RepliesConfig) -> int:
    """Give each of these (new) mentions the conversation it continues, if any. Parents first, so a reply and the
    reply to it stored in one run both join. Returns how many joined a conversation. Running it again changes
    nothing: a mention with a conversation keeps it."""
    if not mention_ids:
        return 0
    ids, candidates = sorted(mention_ids), []
    for start in range(0, len(ids), CHUNK):
        candidates += session.scalars(select(Mention).where(
            Mention.id.in_(ids[start:start + CHUNK]), Mention.conversation_id.is_(None),
            Mention.parent_external_id.is_not(None))).all()
    candidates.sort(key=lambda mention: (mention.published_at is None, mention.published_at, mention.id))
    if not candidates:
        return 0
    answered = _Answered.read(session, {mention.source_id for mention in candidates}, replies)
    joined = 0
    for mention in candidates:
        root = answered.conversation_of(session, mention)
        if root is not None and root != mention.id:
            mention.conversation_id = root
            answered.threads.setdefault((mention.source_id, _thread(mention)), root)
            joined += 1
    session.flush()
    return joined


def _thread(mention: Mention) -> str:
    """A Reddit comment's submission; anything else is its own thread."""
    link = (mention.extra or {}).get("link_id")
    return link if isinstance(link, str) and link else mention.external_id


@dataclass
class _Answered:
    """What we answered in the sources of one run, read once per run (not once per mention): our replies by their
    platform id, the mentions we answered, and each thread's first exchange."""

    replies: RepliesConfig
    our_replies: dict[tuple[int, str], int] = field(default_factory=dict)  # (source, our reply's id) → conversation
    roots: dict[int, int] = field(default_factory=dict)  # mention we answered → its conversation
    threads: dict[tuple[int, str], int] = field(default_factory=dict)  # (source, thread) → first conversation there

    @classmethod
    def read(cls, session: Session, sources: set[int], replies: RepliesConfig) -> _Answered:
        known = cls(replies)
        # columns, not mentions: a source answered for years has thousands of these
        columns = (Mention.id, Mention.source_id, Mention.external_id, Mention.extra["link_id"].as_string().label("link"),
                   Mention.conversation_id, Mention.published_at)
        found: list[tuple] = []  # (answered mention's columns, its conversation); oldest first below
        sent = session.execute(select(*columns, Draft.external_reply_id).join(Draft, Draft.mention_id == Mention.id)
                               .where(Draft.status.in_(ANSWERED), Mention.source_id.in_(sources)))
        for row in sent:
            root = row.conversation_id or row.id
            found.append((row, root))
            if row.external_reply_id:
                known.our_replies[(row.source_id, row.external_reply_id)] = root
        continuing = session.execute(select(*columns).where(Mention.conversation_id.is_not(None),
                                                            Mention.source_id.in_(sources)))
        found += [(row, row.conversation_id) for row in continuing]
        names = {account.lower().removeprefix("u/").removeprefix("@") for account in replies.brand_accounts}
        if names:
            ours = session.execute(select(Mention.source_id, Mention.external_id, Mention.parent_external_id).where(
                Mention.source_id.in_(sources), Mention.parent_external_id.is_not(None),
                func.lower(Mention.author).in_(names | {f"u/{name}" for name in names} | {f"@{name}" for name in names})))
            for reply in ours.all():
                answered = session.execute(select(*columns).where(Mention.source_id == reply.source_id,
                                                                  Mention.external_id == reply.parent_external_id)).first()
                if answered is not None:
                    root = answered.conversation_id or answered.id
                    known.our_replies[(reply.source_id, reply.external_id)] = root
                    found.append((answered, root))
        for row, root in sorted(found, key=lambda pair: (pair[0].published_at is None, pair[0].published_at, pair[0].id)):
            known.roots.setdefault(row.id, root)
            known.threads.setdefault((row.source_id, row.link or row.external_id), root)
        return known

    def conversation_of(self, session: Session, mention: Mention) -> int | None:
        """The conversation `mention` continues: up its parents to our reply or to a mention we answered, else the
        thread's."""
        parent_id, depth = mention.parent_external_id, 0
        while parent_id and depth < MAX_DEPTH:
            depth += 1
            if (root := self.our_replies.get((mention.source_id, parent_id))) is not None:
                return root
            parent = _stored(session, mention.source_id, parent_id)
            if parent is None:
                break
            if (root := parent.conversation_id or self.roots.get(parent.id)) is not None:
                return root
            parent_id = parent.parent_external_id
        if self.replies.is_brand_account(mention.author):
            return None  # our own comment elsewhere in the thread starts nothing
        return self.threads.get((mention.source_id, _thread(mention)))


def _stored(session: Session, source_id: int, external_id: str) -> Mention | None:
    return session.scalar(select(Mention).where(Mention.source_id == source_id, Mention.external_id == external_id))
