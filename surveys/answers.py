"""Recording answers from one-click links. A click records at once; clicking another score later changes the answer
(last wins, audited); the same link again changes nothing (a replay). Mail scanners fetch every link of a message:
several different scores for one send within surveys.burst_seconds are theirs, so none of them counts — the answer
goes back to what it was before the burst — and a later single click records normally. HEAD requests never get here.

Each click is one transaction, serialised per send: on PostgreSQL the send's outbox row is locked first; on SQLite
the click's INSERT takes the database's write lock before anything is read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from careloop.config import Config
from careloop.survey_settings import SCALES
from contacts.tokens import TokenError
from store.audit import SurveyAction
from store.models import Draft, DraftEvent, OutboxMessage, SurveyAnswer, SurveyAnswerEvent, SurveyClick, utcnow

from .compose import SURVEY_KINDS
from .follow_up import open_follow_up
from .links import read_answer_token

COMMENT_LIMIT = 2000
_INVALID = "This answer link is not valid. Use the link exactly as it is in the e-mail."


@dataclass
class Click:
    outcome: str  # answered | changed | repeated | burst
    answer: SurveyAnswer | None
    language: str


def _send(session: Session, token: str, config: Config, *, lock: bool) -> tuple[OutboxMessage, int]:
    """The survey send a token names, checked against its contact and scale; (send, score)."""
    contact_id, send_id, score = read_answer_token(token, config.surveys.answer_days)
    query = select(OutboxMessage).where(OutboxMessage.id == send_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    send = session.scalar(query)
    if send is None or send.kind not in SURVEY_KINDS or send.contact_id != contact_id:
        raise TokenError(_INVALID)
    low, high = SCALES.get(send.payload.get("kind"), (1, 0))
    if not low <= score <= high:
        raise TokenError(_INVALID)
    return send, score


def record_click(session: Session, config: Config, token: str, now: datetime | None = None) -> Click:
    """Record one GET of an answer link; raises TokenError (nothing recorded) for a bad link. Flushes only."""
    now = now or utcnow()
    send, score = _send(session, token, config, lock=True)
    session.execute(insert(SurveyClick).values(send_id=send.id, score=score, at=now))  # SQLite: the write lock
    window = now - timedelta(seconds=config.surveys.burst_seconds)
    scores = set(session.scalars(select(SurveyClick.score).where(SurveyClick.send_id == send.id, SurveyClick.at >= window)))
    answer = session.scalar(select(SurveyAnswer).where(SurveyAnswer.send_id == send.id))
    language = send.payload.get("language") or config.surveys.fallback_language
    if len(scores) > 1:
        _discard_burst(session, config, answer, window, now, len(scores))
        return Click("burst", answer, language)
    if answer is None:
        answer = SurveyAnswer(send_id=send.id, contact_id=send.contact_id, campaign=send.payload["campaign"],
                              survey=send.payload["survey"], kind=send.payload["kind"], language=language,
                              answered_at=now, updated_at=now)
        session.add(answer)
        session.flush()
    elif answer.score == score:
        return Click("repeated", answer, language)
    outcome = SurveyAction.ANSWERED if answer.score is None else SurveyAction.CHANGED
    _set_score(session, config, answer, score, now, outcome)
    return Click(outcome, answer, language)


def _set_score(session: Session, config: Config, answer: SurveyAnswer, score: int | None, at: datetime,
               action: SurveyAction, note: str | None = None) -> None:
    session.add(SurveyAnswerEvent(answer_id=answer.id, at=at, action=action, score_before=answer.score,
                                  score_after=score, note=note))
    answer.score, answer.updated_at = score, at
    if action == SurveyAction.ANSWERED:
        answer.answered_at = at
    answer.detractor = score is not None and config.surveys.detractors.is_detractor(answer.kind, score)
    session.flush()
    if answer.detractor:
        open_follow_up(session, config, answer, at)


def _discard_burst(session: Session, config: Config, answer: SurveyAnswer | None, window: datetime, now: datetime,
                   scores: int) -> None:
    """Back to the score the answer had before the first click of the window (none, for a new answer)."""
    if answer is None:
        return
    first = session.scalar(select(SurveyAnswerEvent).where(
        SurveyAnswerEvent.answer_id == answer.id, SurveyAnswerEvent.at >= window,
        SurveyAnswerEvent.action.in_((SurveyAction.ANSWERED, SurveyAction.CHANGED))).order_by(SurveyAnswerEvent.id))
    before = first.score_before if first is not None else answer.score
    if before == answer.score:  # already undone by an earlier click of the same burst
        return
    session.add(SurveyAnswerEvent(answer_id=answer.id, at=now, action=SurveyAction.SCANNER_BURST, score_before=answer.score,
                                  score_after=before, note=f"{scores} different scores within the burst window: "
                                                           f"treated as a link scanner, not recorded"))
    answer.score, answer.updated_at = before, now
    answer.detractor = before is not None and config.surveys.detractors.is_detractor(answer.kind, before)
    session.flush()
    # A scanner's first click may have been a detractor's score: the follow-up it opened seconds ago, still
    # undecided, is nobody's — gone, so that the person's own low score later opens one (one per answer)
    if not answer.detractor:
        scanned = select(Draft.id).where(Draft.survey_answer_id == answer.id, Draft.status == "pending",
                                         Draft.decided_at.is_(None), Draft.created_at >= window).scalar_subquery()
        session.execute(delete(DraftEvent).where(DraftEvent.draft_id == scanned))
        session.execute(delete(Draft).where(Draft.id == scanned))


def add_comment(session: Session, config: Config, token: str, comment: str, now: datetime | None = None) -> SurveyAnswer:
    """The person's comment on their answer (the last one wins, audited). The sentiment stage scores it later; a
    negative one opens a follow-up then. Raises TokenError for a bad link, ValueError when there is no answer."""
    now = now or utcnow()
    send, _ = _send(session, token, config, lock=True)
    answer = session.scalar(select(SurveyAnswer).where(SurveyAnswer.send_id == send.id))
    if answer is None or answer.score is None:
        raise ValueError("There is no answer to comment on yet: click a score in the e-mail first.")
    text = comment.strip()[:COMMENT_LIMIT] or None
    session.add(SurveyAnswerEvent(answer_id=answer.id, at=now, action=SurveyAction.COMMENTED, score_before=answer.score,
                                  score_after=answer.score, note=f"{len(text or '')} characters"))
    answer.comment, answer.comment_sentiment, answer.comment_confidence, answer.updated_at = text, None, None, now
    session.flush()
    return answer
