"""Comments are scored by the sentiment stage's scorer (the one model careloop loads) and stored with the answer —
they are not mentions and change no mention count. A negative comment opens a follow-up like a detractor's score."""
from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from careloop.config import Config
from sentiment.scorer import Scorer, load_scorer
from store.db import session_scope
from store.models import SurveyAnswer, utcnow

from .follow_up import open_follow_up

_UNSCORED = (SurveyAnswer.comment.is_not(None), SurveyAnswer.comment_sentiment.is_(None))


def score_comments(session: Session, config: Config, scorer: Scorer, batch: int = 256) -> int:
    """Score every unscored comment; returns how many. Flushes only."""
    answers = session.scalars(select(SurveyAnswer).where(*_UNSCORED).order_by(SurveyAnswer.id).limit(batch)).all()
    if not answers:
        return 0
    now = utcnow()
    for answer, score in zip(answers, scorer.score([answer.comment for answer in answers])):
        answer.comment_sentiment, answer.comment_confidence = score.label, float(score.confidence)
        if score.label == "negative":
            open_follow_up(session, config, answer, now, why=f"negative comment on {answer.kind.upper()} {answer.score}")
    session.flush()
    return len(answers)


def score_comment_stage(engine: Engine, config: Config, scorer: Scorer | None = None) -> int:
    """Loads the model only when a comment waits (loading costs seconds; the surveys flow runs every few minutes)."""
    with session_scope(engine) as session:
        if not session.scalar(select(func.count()).select_from(SurveyAnswer).where(*_UNSCORED)):
            return 0
    settings = config.sentiment
    scorer = scorer or load_scorer(settings.model, quantize=settings.quantize, device=settings.device,
                                   precision=settings.precision)
    scored = 0
    with session_scope(engine) as session:
        while done := score_comments(session, config, scorer):
            scored += done
            session.commit()
    return scored
