"""Agents correct what careloop understood about a mention: its topic, and whether it is about the brand at all.
The decision is the agent's from now on (source "agent": never overwritten, and an example for later mentions,
understanding/annotate.py), and a reply still waiting for a decision is drafted again to match: a new topic picks
another template, "not about us" takes it out of the queue, "about us after all" puts it back."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from careloop.config import Config
from store.audit import DraftAction
from store.issues import registry_issues
from store.models import Draft, DraftEvent, Mention, utcnow

from .decisions import DecisionError, record_change, visible_mention
from .eligibility import NOT_ABOUT_US
from .rows import draft_row

REDRAFTABLE = ("pending", "no_reply_needed")


def set_topic(session: Session, mention_id: int, actor: str, topic: str, config: Config, topics: list[str]) -> Mention:
    if topic not in topics:
        raise DecisionError(f"unknown topic {topic!r}; expected one of {topics}")
    mention = visible_mention(session, mention_id, actor)
    note = f"topic {mention.topic or 'unknown'} → {topic}"
    mention.topic, mention.topic_confidence, mention.topic_source = topic, 1.0, "agent"
    _redraft(session, mention, actor, DraftAction.TOPIC_CORRECTED, note, config)
    return mention


def mark_relevance(session: Session, mention_id: int, actor: str, relevance: str, config: Config) -> Mention:
    if relevance not in ("about", "not_about"):
        raise DecisionError(f"relevance must be about or not_about, not {relevance!r}")
    mention = visible_mention(session, mention_id, actor)
    note = f"{NOT_ABOUT_US}: marked by {actor}" if relevance == "not_about" else f"about us: marked by {actor}"
    mention.relevance, mention.relevance_source = relevance, "agent"
    mention.relevance_reason = f"marked by {actor}" if relevance == "not_about" else None
    _redraft(session, mention, actor, DraftAction.RELEVANCE_MARKED, note, config)
    return mention


def _redraft(session: Session, mention: Mention, actor: str, action: DraftAction, note: str, config: Config) -> None:
    draft = session.scalar(select(Draft).where(Draft.mention_id == mention.id, Draft.kind == "reply"))
    if draft is None or draft.status not in REDRAFTABLE:
        if draft is not None:  # decided already: the change still shows in the mention's audit log
            session.add(DraftEvent(draft_id=draft.id, mention_id=mention.id, at=utcnow(), actor=actor, action=action,
                                   from_status=draft.status, to_status=draft.status, note=note))
        session.flush()
        return
    row = draft_row(mention, config, registry_issues(session), None, utcnow(), draft.suggestions or {})
    record_change(session, draft, actor, action, row["status"], note, decision=False, text=row["text"],
                  template=row["template"], language=row["language"], reason=row["reason"],
                  check_failures=row["check_failures"])
