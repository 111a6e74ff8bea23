"""Scoring stage over the store: plain functions taking a SQLAlchemy Session (flows/ wraps them in tasks).

Every score is kept as a SentimentScore row keyed by (mention, model, model version); the mention's
sentiment_label/score/source columns hold the current value for the inbox: the customer's stars when the mention
has a rating (the model's opinion is still stored, so disagreements can be listed), else the model's; an agent's
correction (source "agent") is never overwritten.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Callable

from sqlalchemy import Engine, and_, exists, func, select
from sqlalchemy.orm import Session

from careloop.config import SentimentSettings
from store.claims import claim, release, unclaimed
from store.db import session_scope
from store.mentions import insert_ignoring_conflicts
from store.models import Mention, SentimentScore

from .scorer import Scorer, load_scorer, scorer_identity
from .scores import LABELS, Score, stars_to_score


STAGE = "score"
LEASE = timedelta(minutes=10)  # far longer than one batch (seconds on CPU); older claims belong to dead workers


def mention_text(m: Mention) -> str:
    """What the model reads: title and body (reviews often put the verdict in the title)."""
    return "\n".join(part for part in (m.title, m.text) if part and part.strip())


def _apply_current(m: Mention, model_score: Score) -> None:
    if m.sentiment_source == "agent":
        return
    if m.rating is not None:
        s, source = stars_to_score(m.rating), "stars"
    else:
        s, source = model_score, "model"
    m.sentiment_label, m.sentiment_score, m.sentiment_source = s.label, s.score, source


def _has_score(name: str, version: str):
    return exists().where(and_(SentimentScore.mention_id == Mention.id, SentimentScore.model == name,
                               SentimentScore.model_version == version))


def pending_count(session: Session, name: str, version: str) -> int:
    """Mentions the model `name` at `version` has not judged yet."""
    return session.scalar(select(func.count()).select_from(Mention).where(~_has_score(name, version)))


def score_unscored(session: Session, scorer: Scorer, batch_size: int = 256,
                   progress: Callable[[int], None] | None = None, tally: Counter | None = None) -> int:
    """Score every mention that has no score from this scorer (name + version). Commits per batch; idempotent,
    and safe side by side: each worker claims its batch (`store.claims`), so N workers score N different
    batches. Batches are a few hundred mentions: the scorer sorts each batch by length, and more texts sort
    into tighter length groups (less padding). `progress` gets the number scored so far after every batch;
    `tally` counts the labels given.

    Returns the number of score rows written."""
    written = 0
    unscored = ~_has_score(scorer.name, scorer.version)
    while True:
        ids = claim(session, STAGE, select(Mention.id).where(unscored, unclaimed(STAGE, Mention.id, LEASE))
                    .order_by(Mention.id).limit(batch_size), LEASE)
        if not ids:
            return written
        # re-checked after the claim: another worker may have scored one of them between our read and claim
        batch = session.scalars(select(Mention).where(Mention.id.in_(ids), unscored).order_by(Mention.id)).all()
        scores = scorer.score([mention_text(m) for m in batch])
        rows = [{"mention_id": m.id, "model": scorer.name, "model_version": scorer.version, "label": s.label,
                 "score": float(s.score), "confidence": float(s.confidence)} for m, s in zip(batch, scores)]
        insert_ignoring_conflicts(session, SentimentScore, rows, ["mention_id", "model", "model_version"])
        for m, s in zip(batch, scores):
            _apply_current(m, s)
        if tally is not None:
            tally.update(s.label for s in scores)
        release(session, STAGE, ids)
        session.commit()
        written += len(batch)
        if progress:
            progress(written)


def score_stage(engine: Engine, settings: SentimentSettings, progress: Callable[[int, int], None] | None = None,
                tally: Counter | None = None) -> int:
    """The scoring stage of the loop: score what the configured model has not judged. With nothing to score it
    loads no model (a score flow runs every few minutes; loading costs seconds)."""
    identity = scorer_identity(settings.model, settings.quantize)
    if identity is not None:
        with session_scope(engine) as session:
            if not pending_count(session, *identity):
                return 0
    scorer = load_scorer(settings.model, quantize=settings.quantize, device=settings.device, precision=settings.precision)
    batch_size = settings.batch_size or (256 if scorer.device == "cpu" else 8192)
    with session_scope(engine) as session:
        total = pending_count(session, scorer.name, scorer.version)
        if progress and total:
            progress(0, total)  # the clock for the rate starts here
        return score_unscored(session, scorer, batch_size=batch_size,
                              progress=progress and (lambda done: progress(done, total)), tally=tally)


def rescore(session: Session, scorer: Scorer, batch_size: int = 256) -> int:
    """Score all history with `scorer` (old rows are kept) and make it the current opinion of every mention
    whose sentiment came from a model. Returns the number of new score rows."""
    written = score_unscored(session, scorer, batch_size)
    last_id = 0
    while True:  # mentions scored by this model earlier, but currently showing another model's opinion
        rows = session.execute(
            select(Mention, SentimentScore)
            .join(SentimentScore, and_(SentimentScore.mention_id == Mention.id, SentimentScore.model == scorer.name,
                                       SentimentScore.model_version == scorer.version))
            .where(Mention.id > last_id).order_by(Mention.id).limit(500)
        ).all()
        if not rows:
            break
        for m, row in rows:
            _apply_current(m, Score(row.label, row.score, row.confidence))
        last_id = rows[-1][0].id
        session.commit()
    return written


def sentiment_stats(session: Session) -> dict:
    """`careloop stats --json` key by_sentiment: negative/neutral/positive/unscored over distinct mentions
    (linked duplicates are not counted, as in `mentions`)."""
    counts = dict(session.execute(
        select(Mention.sentiment_label, func.count()).where(Mention.duplicate_of_id.is_(None)).group_by(Mention.sentiment_label)
    ).all())
    by_sentiment = {label: int(counts.get(label, 0)) for label in LABELS}
    by_sentiment["unscored"] = int(counts.get(None, 0))
    return {"by_sentiment": by_sentiment}


def disagreements(session: Session, scorer: Scorer, limit: int = 100) -> list[tuple[Mention, SentimentScore]]:
    """Rated mentions where this model's label differs from the stars: worth a look (sarcasm, wrong stars)."""
    return session.execute(
        select(Mention, SentimentScore)
        .join(SentimentScore, SentimentScore.mention_id == Mention.id)
        .where(Mention.rating.is_not(None), SentimentScore.model == scorer.name,
               SentimentScore.model_version == scorer.version, SentimentScore.label != Mention.sentiment_label,
               Mention.sentiment_source == "stars")
        .order_by(Mention.id).limit(limit)
    ).all()
