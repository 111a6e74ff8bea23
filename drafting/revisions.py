"""Reviews edited after drafting (ingest keeps the edit, `store.mentions.revise`; scoring re-judges the new words).

Each reply draft remembers the text it answered (`drafts.answers_hash`, the mention's `text_hash` then). Once the
edited mention is scored again, its draft is brought up to date, once per edit:
- still pending and untouched by agents: re-made from the new text (action "redrafted");
- pending but an agent already edited it: their text is kept and the draft flagged "review changed since you
  edited" (`review_changed_at`, shown in the queue and on the mention page);
- no reply needed by careloop's own judgement: judged again (a 5★ "thanks" edited into a 1★ complaint needs one);
- already answered (our reply was sent, or the platform shows the brand's reply): the edit continues the
  conversation, so it gets a `follow_up` draft (campaign "edit:<text hash>") in the queue.
Approved, rejected and escalated drafts are an agent's decision in progress and are left alone; an approved reply
that is sent later meets the edit here on the next run.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from careloop.config import Config
from store.audit import DraftAction
from store.issues import IssueView
from store.models import Draft, DraftEvent, Mention

from .decisions import DecisionError, record_change
from .eligibility import ALREADY_ANSWERED
from .rows import ACTOR, add_drafted_event, draft_row, insert_new

REVIEW_CHANGED = "review changed since you edited"
EDIT_CAMPAIGN = "edit:"  # + the edited text's hash: one follow-up per edit


def catch_up_revisions(session: Session, config: Config, issues: list[IssueView], now: datetime) -> dict[str, int]:
    """Bring every reply draft whose mention was edited (and scored again) up to date; flushes. Counts by outcome."""
    counts = {"redrafted": 0, "flagged_changed": 0, "follow_ups_for_edits": 0}
    edited_by_agent = exists().where(DraftEvent.draft_id == Draft.id, DraftEvent.action == "edited",
                                     DraftEvent.actor != ACTOR)
    changed = session.execute(
        select(Draft, Mention, edited_by_agent.label("agent_edited")).join(Mention, Mention.id == Draft.mention_id)
        .where(Draft.kind == "reply", Draft.answers_hash.is_not(None), Draft.answers_hash != Mention.text_hash,
               Mention.sentiment_label.is_not(None), Draft.status.in_(("pending", "no_reply_needed", "sent")))
        .order_by(Draft.id)
    ).all()
    for draft, mention, agent_edited in changed:
        hash_now = {"answers_hash": mention.text_hash}
        answered = draft.status == "sent" or (draft.status == "no_reply_needed" and draft.decided_by is None
                                              and (draft.reason or "").startswith(ALREADY_ANSWERED))
        try:
            if answered:
                counts["follow_ups_for_edits"] += _follow_up(session, config, issues, mention, now)
                record_change(session, draft, ACTOR, DraftAction.REVIEW_EDITED, draft.status, "edited after our answer",
                              decision=False, **hash_now)
            elif draft.status == "pending" and agent_edited:
                record_change(session, draft, ACTOR, DraftAction.REVIEW_CHANGED, draft.status, REVIEW_CHANGED, decision=False,
                              review_changed_at=now, **hash_now)
                counts["flagged_changed"] += 1
            elif draft.status == "pending" or draft.decided_by is None:
                row = draft_row(mention, config, issues, None, now, draft.suggestions or {})
                record_change(session, draft, ACTOR, DraftAction.REDRAFTED, row["status"], row["reason"] or "the review was edited",
                              decision=False, text=row["text"], template=row["template"], language=row["language"],
                              reason=row["reason"], check_failures=row["check_failures"], priority=row["priority"],
                              **hash_now)
                counts["redrafted"] += 1
        except DecisionError:
            continue  # an agent decided meanwhile: the next run meets the edit from the new status
    session.flush()
    return counts


def _follow_up(session: Session, config: Config, issues: list[IssueView], mention: Mention, now: datetime) -> int:
    """A pending follow-up answering the edited text; the brand's earlier answer does not make it "answered"."""
    row = draft_row(mention, config, issues, None, now, {}, answered_already_counts=False)
    if row["status"] != "pending":
        return 0  # e.g. now older than replies.max_age_days or marked not about us: nothing to follow up
    row = {**row, "kind": "follow_up", "campaign": f"{EDIT_CAMPAIGN}{mention.text_hash}"}
    inserted = insert_new(session, [row])
    for draft_id, inserted_row in inserted:
        add_drafted_event(session, draft_id, {**inserted_row, "reason": "follow-up: the review was edited after our answer"},
                          now)
    return len(inserted)
