"""The customer's history beside a mention: the same person's other mentions, our replies to them and their survey
answers, newest first, each linking to its page.

The same person is the same author handle on the same source type, plus, where the contacts stage ties that
handle to a contact (contact_handles: an imported e-mail address with its Reddit, Heureka or store names), every
other handle of that contact and the contact's survey answers. Names that platforms give to everyone who hides
theirs ("A Google user", "[deleted]") are nobody's history."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from store.access import brand_limit, only_visible
from store.models import ContactHandle, Draft, Mention, SurveyAnswer, User

HISTORY_LIMIT = 20  # entries shown; each of the three reads stops there too
SNIPPET = 240
NOBODY = {"[deleted]", "a google user", "anonymous", "anonym", "anonymní", "anonymný", "аноним"}
OUR_REPLIES = ("approved", "sent")  # decided replies: posted, or on their way (or to post by hand)


@dataclass(frozen=True)
class HistoryEntry:
    kind: str  # mention | reply | survey
    at: datetime | None
    href: str
    label: str
    text: str


def customer_history(session: Session, mention: Mention, user: User | None = None) -> list[HistoryEntry]:
    """Up to HISTORY_LIMIT entries about the author of `mention`, newest first, `mention` itself left out; only
    mentions of brands `user` may see, and survey answers only for users who see every brand (an answer has none)."""
    author = (mention.author or "").strip()
    if not author or author.lower() in NOBODY:
        return []
    contact_ids = list(session.scalars(select(ContactHandle.contact_id).where(
        ContactHandle.platform == mention.source_type, ContactHandle.handle == author.lower())))
    same_person = [and_(Mention.source_type == mention.source_type, Mention.author == author)]
    if contact_ids:
        # handles are stored lower case; the author as the platform spells it
        same_person += [and_(Mention.source_type == platform, func.lower(Mention.author) == handle)
                        for platform, handle in session.execute(select(ContactHandle.platform, ContactHandle.handle)
                                                                .where(ContactHandle.contact_id.in_(contact_ids)))]
    mentions = only_visible(select(Mention.id, Mention.source_type, Mention.rating, Mention.title, Mention.published_at,
                                   Mention.fetched_at, func.substr(Mention.text, 1, SNIPPET).label("text"))
                            .where(or_(*same_person), Mention.id != mention.id), user)
    entries = [HistoryEntry("mention", row.published_at or row.fetched_at, f"/mentions/{row.id}",
                            f"{row.source_type}" + (f" {row.rating:.0f}★" if row.rating is not None else "")
                            + (f": {row.title}" if row.title else ""), row.text)
               for row in session.execute(mentions.order_by(Mention.id.desc()).limit(HISTORY_LIMIT))]
    their = mentions.with_only_columns(Mention.id).scalar_subquery()
    replies = (select(Draft.mention_id, Draft.status, Draft.sent_at, Draft.decided_at, Draft.decided_by,
                      func.substr(Draft.text, 1, SNIPPET).label("text"))
               .where(Draft.mention_id.in_(their), Draft.status.in_(OUR_REPLIES))
               .order_by(Draft.id.desc()).limit(HISTORY_LIMIT))
    entries += [HistoryEntry("reply", row.sent_at or row.decided_at, f"/mentions/{row.mention_id}",
                             f"our reply ({row.status}" + (f", by {row.decided_by})" if row.decided_by else ")"), row.text)
                for row in session.execute(replies)]
    if contact_ids and brand_limit(user) is None:
        answers = (select(SurveyAnswer.id, SurveyAnswer.kind, SurveyAnswer.score, SurveyAnswer.answered_at,
                          func.substr(SurveyAnswer.comment, 1, SNIPPET).label("comment"))
                   .where(SurveyAnswer.contact_id.in_(contact_ids), SurveyAnswer.score.is_not(None))
                   .order_by(SurveyAnswer.answered_at.desc()).limit(HISTORY_LIMIT))
        entries += [HistoryEntry("survey", row.answered_at, f"/survey-answers/{row.id}",
                                 f"{row.kind.upper()} answer {row.score}", row.comment or "")
                    for row in session.execute(answers)]
    entries.sort(key=lambda entry: entry.at.timestamp() if entry.at else 0, reverse=True)
    return entries[:HISTORY_LIMIT]
