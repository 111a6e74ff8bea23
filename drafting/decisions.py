"""What agents do to drafts, as plain functions the inbox calls: approve (optionally edited), undo an approval
within its window, reject, escalate, mark "no reply needed" with a reason, mark a manual reply as sent, retry a
failed one, correct a sentiment label.

Every change is one conditional UPDATE (`… WHERE status = <what the agent saw>`), so two agents acting on the
same draft at once cannot both win, plus a DraftEvent with who, when and the text before and after.
The caller owns the transaction: these functions flush, never commit.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Iterator

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from careloop.config import Config
from connectors import get_connector
from sentiment.pipeline import mention_text
from sentiment.scores import LABELS
from store.access import actor_may_see
from store.audit import DraftAction
from store.mention_claims import blocking_holder, release
from store.models import Contact, Draft, DraftEvent, Mention, OutboxMessage, SentimentCorrection, SurveyAnswer, signed, utcnow

from .checks import Problem, blocking_problems, is_blank, length_problem, messages, problems_in
from .signatures import signature_for

# Which statuses each decision may start from; anything else is refused with a clear message.
ALLOWED_FROM = {
    "approve": ("pending", "escalated", "no_reply_needed"),
    "reject": ("pending", "escalated", "failed"),
    "escalate": ("pending", "failed"),
    "mark as sent": ("approved",),
    "retry": ("failed",),
    "no reply": ("pending", "escalated"),
    "undo": ("approved",),
}
# Why an agent says a mention needs no reply (the inbox's picker); "other" needs a few words.
NO_REPLY_REASONS = {"answered_elsewhere": "already answered elsewhere", "not_a_question": "not a question",
                    "spam": "spam", "press": "press or article", "internal": "internal", "other": "other"}
_LABEL_SCORES = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}


class DecisionError(ValueError):
    """The decision is not possible (unknown draft, wrong state, missing reason); the message says why."""


class DecisionInputError(DecisionError):
    """What the agent typed or picked cannot make this decision on any draft (a missing reason or team)."""


def approve(session: Session, draft_id: int, actor: str, text: str | None = None, *, config: Config | None = None,
            undo_window: timedelta | None = None) -> Draft:
    """Approve the draft as it is, or with `text` (edit & approve). The reply is queued in the outbox: posted by
    the publisher where the source's connector can reply, else left to the agent to copy ("manual").
    Pass `config` to re-run every check on an edit; without it only the blocking ones run.
    The approving agent's signature is appended to what is posted, and the platform's length limit counts it.
    `undo_window` (the inbox's inbox.undo_seconds): the publisher may not take the reply before it is over, and
    until then `undo_approval` takes it back."""
    draft = _draft(session, draft_id, actor, with_mention=True)
    _require_state(draft, "approve")
    not_before = utcnow() + undo_window if undo_window else None
    if draft.survey_answer_id is not None:
        return _approve_email(session, draft, actor, text, not_before)
    mention = draft.mention
    _require_unclaimed(session, draft, actor)
    new_text = draft.text if text is None else text.strip()
    problems = _problems(new_text, mention.source_type, config)
    blocking = [problem.message for problem in problems if problem.blocks_approval]
    signature = signature_for(session, actor, mention.brand, draft.language or mention.language, config)
    too_long = None if blocking else length_problem(signed(new_text, signature), mention.source_type,
                                                    config.replies if config else None)
    if too_long:
        blocking.append(f"{too_long.message} with your signature {signature!r} ({len(signature) + 2} of them with "
                        f"its line break): shorten the reply or your signature")
    if blocking:
        raise DecisionError(f"draft #{draft_id} cannot be approved: {'; '.join(blocking)}")
    before = draft.text
    if new_text != before:
        record_change(session, draft, actor, DraftAction.EDITED, draft.status, text=new_text, check_failures=messages(problems))
    channel, status = _delivery(_connector(mention.source_type), mention, config)
    # added first, written in one flush with the approval's audit row, after the approval won (record_change)
    session.add(OutboxMessage(
        key=f"reply:{draft.id}", kind="reply", channel=channel, draft_id=draft.id, status=status, attempts=0,
        not_before=not_before, payload={"source": mention.source.name, "source_type": mention.source_type,
                 "mention_external_id": mention.external_id, "url": mention.url, "text": signed(new_text, signature)},
    ))
    record_change(session, draft, actor, DraftAction.APPROVED, "approved", assigned_to=actor, signature=signature,
                  note=f"signed {signature!r}" if signature else None)
    return _released(session, draft)


def _approve_email(session: Session, draft: Draft, actor: str, text: str | None, not_before) -> Draft:
    """A survey follow-up: an e-mail to the person who answered, queued in the outbox once approved."""
    new_text = draft.text if text is None else text.strip()
    if not new_text:
        raise DecisionError(f"draft #{draft.id} cannot be approved: the e-mail is empty")
    answer = session.get(SurveyAnswer, draft.survey_answer_id)
    contact = session.get(Contact, answer.contact_id) if answer else None
    if contact is None:
        raise DecisionError(f"draft #{draft.id} cannot be approved: the contact was erased")
    if new_text != draft.text:
        record_change(session, draft, actor, DraftAction.EDITED, draft.status, text=new_text)
    session.add(OutboxMessage(
        key=f"reply:{draft.id}", kind="survey_follow_up", channel="email", draft_id=draft.id, status="queued", attempts=0,
        contact_id=contact.id, consent_kind="service", campaign=draft.campaign, not_before=not_before,
        payload={"to": contact.email, "to_name": contact.name, "subject": draft.subject or "Re: your answer", "text": new_text}))
    return record_change(session, draft, actor, DraftAction.APPROVED, "approved", assigned_to=actor)


def undo_approval(session: Session, draft_id: int, actor: str) -> Draft:
    """Take an approval back while its undo window lasts: the outbox row is deleted — only if it is still waiting
    (queued or manual) and its not_before is ahead, in one conditional DELETE, so a publisher can never have
    claimed it — and the draft returns to the status it was approved from, with an audit row. Deleting (not
    marking) frees the row's key "reply:<draft>" for the next approval; the audit row keeps who undid what."""
    draft = _draft(session, draft_id, actor)
    _require_state(draft, "undo")
    cancelled = session.execute(
        delete(OutboxMessage).where(OutboxMessage.draft_id == draft.id, OutboxMessage.status.in_(("queued", "manual")),
                                    OutboxMessage.not_before > utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if cancelled != 1:
        raise DecisionError(f"too late to undo the approval of draft #{draft_id}: its undo window is over and the "
                            "publisher may already have posted it")
    approved_from = session.scalar(select(DraftEvent.from_status).where(
        DraftEvent.draft_id == draft.id, DraftEvent.action == DraftAction.APPROVED).order_by(DraftEvent.id.desc()).limit(1))
    return record_change(session, draft, actor, DraftAction.APPROVAL_UNDONE, approved_from or "pending", assigned_to=None,
                         note="undone within the undo window: nothing was sent")


def no_reply(session: Session, draft_id: int, actor: str, reason: str, detail: str = "") -> Draft:
    """The agent decides the mention needs no reply, for one of NO_REPLY_REASONS (plus optional words); stored as
    the drafting stage stores its own "no reply needed" drafts: status and reason."""
    text = no_reply_reason(reason, detail)
    draft = _draft(session, draft_id, actor)
    _require_state(draft, "no reply")
    _require_unclaimed(session, draft, actor)
    record_change(session, draft, actor, DraftAction.NO_REPLY_NEEDED, "no_reply_needed", reason=text, note=text)
    return _released(session, draft)


def no_reply_reason(reason: str, detail: str = "") -> str:
    """The stored reason for NO_REPLY_REASONS[reason] and the agent's words, or DecisionInputError."""
    if reason not in NO_REPLY_REASONS:
        raise DecisionInputError(f"unknown no-reply reason {reason!r}; expected one of {list(NO_REPLY_REASONS)}")
    if reason == "other" and is_blank(detail):
        raise DecisionInputError('no-reply reason "other" needs a few words on why')
    return NO_REPLY_REASONS[reason] + (f": {detail.strip()}" if not is_blank(detail) else "")


def check_reject(reason: str) -> None:
    if is_blank(reason):
        raise DecisionInputError("a reason is required to reject a draft")


def check_escalate(team: str, note: str = "") -> None:
    if is_blank(team):
        raise DecisionInputError("a team is required to escalate a draft")


def reject(session: Session, draft_id: int, actor: str, reason: str) -> Draft:
    check_reject(reason)
    draft = _draft(session, draft_id, actor)
    _require_state(draft, "reject")
    _require_unclaimed(session, draft, actor)
    record_change(session, draft, actor, DraftAction.REJECTED, "rejected", reason=reason.strip(), note=reason.strip())
    return _released(session, draft)


def escalate(session: Session, draft_id: int, actor: str, team: str, note: str) -> Draft:
    check_escalate(team)
    draft = _draft(session, draft_id, actor)
    _require_state(draft, "escalate")
    _require_unclaimed(session, draft, actor)
    record_change(session, draft, actor, DraftAction.ESCALATED, "escalated", escalated_to=team.strip(),
                  note=f"{team.strip()}: {(note or '').strip()}".rstrip(": "))
    return _released(session, draft)


def mark_sent(session: Session, draft_id: int, actor: str) -> Draft:
    """The agent posted a manual reply by hand (review sites, feeds)."""
    draft = _draft(session, draft_id, actor)
    _require_state(draft, "mark as sent")
    now = utcnow()
    claimed = session.execute(
        update(OutboxMessage).where(OutboxMessage.draft_id == draft.id, OutboxMessage.status == "manual")
        .values(status="sent", sent_at=now, claimed_by=actor).execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise DecisionError(f"draft #{draft_id} is not a manual reply: the publisher posts it and marks it sent")
    return record_change(session, draft, actor, DraftAction.SENT, "sent", sent_at=now, note="posted by hand")


def retry(session: Session, draft_id: int, actor: str) -> Draft:
    """A failed reply goes back to the publisher's queue."""
    draft = _draft(session, draft_id, actor)
    _require_state(draft, "retry")
    session.execute(
        update(OutboxMessage).where(OutboxMessage.draft_id == draft.id, OutboxMessage.status == "failed")
        .values(status="queued", error=None, claimed_at=None, claimed_by=None, next_attempt_at=None, sending_at=None)
        .execution_options(synchronize_session=False)
    )
    return record_change(session, draft, actor, DraftAction.RETRIED, "approved")


def correct_sentiment(session: Session, mention_id: int, actor: str, label: str) -> SentimentCorrection:
    """An agent's label wins over the model's and the stars from now on (sentiment_source "agent")."""
    if label not in LABELS:
        raise DecisionError(f"unknown sentiment label {label!r}; expected one of {list(LABELS)}")
    mention = visible_mention(session, mention_id, actor)
    correction = SentimentCorrection(mention_id=mention_id, label=label, previous_label=mention.sentiment_label,
                                     corrected_by=actor, corrected_at=utcnow())
    session.add(correction)
    draft = session.scalar(select(Draft).where(Draft.mention_id == mention_id))
    if draft is not None:  # shows in the mention's audit log
        session.add(DraftEvent(draft_id=draft.id, mention_id=mention_id, at=correction.corrected_at, actor=actor,
                               action=DraftAction.SENTIMENT_CORRECTED, from_status=draft.status, to_status=draft.status,
                               note=f"sentiment {mention.sentiment_label or 'unscored'} → {label}"))
    mention.sentiment_label, mention.sentiment_score, mention.sentiment_source = label, _LABEL_SCORES[label], "agent"
    session.flush()
    return correction


def export_corrections(session: Session) -> Iterator[dict]:
    """Training rows for `careloop sentiment train`: the latest correction per mention, with the text the model reads."""
    rows = session.execute(
        select(SentimentCorrection.mention_id, SentimentCorrection.label, Mention)
        .join(Mention, Mention.id == SentimentCorrection.mention_id)
        .order_by(SentimentCorrection.mention_id, SentimentCorrection.corrected_at.desc(), SentimentCorrection.id.desc())
        .execution_options(yield_per=500)
    )
    last = None
    for mention_id, label, mention in rows:
        if mention_id != last:
            yield {"text": mention_text(mention), "label": label, "lang": mention.language}
        last = mention_id


def audit_log(session: Session, mention_id: int) -> list[DraftEvent]:
    return list(session.scalars(select(DraftEvent).where(DraftEvent.mention_id == mention_id).order_by(DraftEvent.at, DraftEvent.id)))


def visible_mention(session: Session, mention_id: int, actor: str) -> Mention:
    """The mention, if it exists and `actor` may act on its brand (store/access.py); else "does not exist"."""
    mention = session.get(Mention, mention_id)
    if mention is None or not actor_may_see(session, actor, mention.brand):
        raise DecisionError(f"mention #{mention_id} does not exist")
    return mention


def _draft(session: Session, draft_id: int, actor: str, *, with_mention: bool = False) -> Draft:
    # with_mention: the mention and its source in the same query (approve needs both)
    options = [joinedload(Draft.mention).joinedload(Mention.source)] if with_mention else []
    draft = session.get(Draft, draft_id, populate_existing=True, options=options)
    # a user restricted to other brands is told no more than about a draft that is not there
    if draft is None or not actor_may_see(session, actor, draft.mention.brand if draft.mention else None):
        raise DecisionError(f"draft #{draft_id} does not exist")
    return draft


def _released(session: Session, draft: Draft) -> Draft:
    """After the decision won: the mention's claim goes (after the UPDATE, which must decide first)."""
    if draft.mention_id is not None:
        release(session, draft.mention_id)
    return draft


def _require_unclaimed(session: Session, draft: Draft, actor: str) -> None:
    """Someone else is on this mention (store/mention_claims.py): they decide, unless `actor` takes it over."""
    holder = blocking_holder(session, draft.mention_id, actor) if draft.mention_id else None
    if holder is not None:
        raise DecisionError(f"{holder.shown_name} is on it: take it over to decide on draft #{draft.id}")


def _require_state(draft: Draft, decision: str) -> None:
    allowed = ALLOWED_FROM[decision]
    if draft.status not in allowed:
        what = {"no reply": "mark draft #{} as needing no reply", "undo": "undo the approval of draft #{}"}.get(
            decision, decision + " draft #{}").format(draft.id)
        raise DecisionError(f"cannot {what}: it is {draft.status.replace('_', ' ')}; "
                            f"only {' or '.join(status.replace('_', ' ') for status in allowed)} drafts can be")


def record_change(session: Session, draft: Draft, actor: str, action: DraftAction, to_status: str, note: str | None = None,
                  *, decision: bool = True, **values) -> Draft:
    """Move the draft from the status it was read in to `to_status`, or fail if someone moved it first.
    `decision=False` (the publisher) leaves decided_at/decided_by to the agent who decided."""
    now = utcnow()
    from_status, text_before = draft.status, draft.text
    if decision:
        values.update(decided_at=now, decided_by=actor)
    values.update(status=to_status, updated_at=now)
    with session.no_autoflush:  # the UPDATE decides first; rows added before it (approve's outbox) follow only if it won
        moved = session.execute(
            update(Draft).where(Draft.id == draft.id, Draft.status == from_status).values(**values)
            .execution_options(synchronize_session=False)
        )
    if moved.rowcount != 1:
        raise DecisionError(f"draft #{draft.id} was changed by someone else meanwhile: reload it")
    for key, value in values.items():  # what the row now holds, without reading it back
        set_committed_value(draft, key, value)
    session.add(DraftEvent(draft_id=draft.id, mention_id=draft.mention_id, at=now, actor=actor, action=action,
                           from_status=from_status, to_status=to_status, text_before=text_before, text_after=draft.text,
                           note=note))
    session.flush()
    return draft


def _problems(text: str, source_type: str, config: Config | None) -> list[Problem]:
    return problems_in(text, source_type, config.replies) if config is not None else blocking_problems(text, source_type)


def _connector(source_type: str) -> object | None:
    try:
        return get_connector(source_type)
    except KeyError:
        return None


def _delivery(connector: object | None, mention: Mention, config: Config | None) -> tuple[str, str]:
    """(outbox channel, status): posted by the publisher when the source's connector can reply (and the source is
    read in a mode that can: `can_reply`, e.g. App Store Connect rather than the public feed), else by hand."""
    if not (callable(getattr(connector, "reply", None)) and callable(getattr(connector, "find_own_reply", None))):
        return "manual", "manual"
    source = next((source for source in config.sources if source.name == mention.source.name), None) if config else None
    if source is not None and callable(getattr(connector, "can_reply", None)) and not connector.can_reply(source):
        return "manual", "manual"
    return mention.source_type, "queued"
