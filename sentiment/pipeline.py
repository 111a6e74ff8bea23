"""Scoring stage over the store: plain functions taking a SQLAlchemy Session (flows/ wraps them in tasks).

Every score is kept as a SentimentScore row keyed by (mention, model, model version); the mention's
sentiment_label/score/source columns hold the current value for the inbox: the customer's stars when the mention
has a rating (the model's opinion is still stored, so disagreements can be listed), else the model's; an agent's
correction (source "agent") is never overwritten.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Callable, Protocol, Sequence

import numpy as np

from sqlalchemy import Engine, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from careloop.config import SentimentSettings
from store.claims import claim, release, unclaimed
from store.db import session_scope
from store.embeddings import has_embedding, mention_vectors, store_mention_vectors
from store.mentions import insert_ignoring_conflicts
from store.models import Mention, SentimentScore

from .e5_head import get_encoder
from .scorer import Scorer, encoder_identity, encoder_spec, load_scorer, scorer_identity
from .scores import LABELS, Score, stars_to_score


class Embedder(Protocol):
    version: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


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


def pending_count(session: Session, name: str, version: str, encoder_version: str | None = None) -> int:
    """Mentions the model `name` at `version` has not judged yet, or (given `encoder_version`) not embedded."""
    return session.scalar(select(func.count()).select_from(Mention).where(_pending(name, version, encoder_version)))


def _pending(name: str, version: str, encoder_version: str | None):
    missing = ~_has_score(name, version)
    return missing if encoder_version is None else or_(missing, ~has_embedding(encoder_version))


def score_unscored(session: Session, scorer: Scorer, batch_size: int = 256,
                   progress: Callable[[int], None] | None = None, tally: Counter | None = None,
                   encoder: Embedder | None = None) -> int:
    """Score every mention that has no score from this scorer (name + version), and store the e5 embedding of
    every mention that has none from `encoder` (default: the scorer's own encoder, when it has one). With the
    default scorer that is one encoder pass for both: the head scores the embeddings (`score_embedded`), and a
    new head scores the stored embeddings without any pass. Commits per batch; idempotent, and safe side by
    side: each worker claims its batch (`store.claims`), so N workers score N different batches. Batches are a
    few hundred mentions: the encoder sorts each batch by length, and more texts sort into tighter length
    groups (less padding). `progress` gets the number handled so far after every batch; `tally` counts the
    labels given.

    Returns the number of mentions handled (scored, embedded or both)."""
    written = 0
    encoder = encoder if encoder is not None else getattr(scorer, "encoder", None)
    encoder_version = encoder.version if encoder is not None else None
    same_encoder = encoder is not None and getattr(scorer, "encoder", None) is encoder
    pending = _pending(scorer.name, scorer.version, encoder_version)
    while True:
        ids = claim(session, STAGE, select(Mention.id).where(pending, unclaimed(STAGE, Mention.id, LEASE))
                    .order_by(Mention.id).limit(batch_size), LEASE)
        if not ids:
            return written
        # re-checked after the claim: another worker may have scored one of them between our read and claim
        batch = session.scalars(select(Mention).where(Mention.id.in_(ids), pending).order_by(Mention.id)).all()
        scored = set(session.scalars(select(SentimentScore.mention_id).where(
            SentimentScore.mention_id.in_(ids), SentimentScore.model == scorer.name,
            SentimentScore.model_version == scorer.version)))
        to_score = [m for m in batch if m.id not in scored]
        vectors = _embeddings(session, encoder, batch) if encoder is not None else {}
        if same_encoder:
            scores = scorer.score_embedded([vectors[m.id] for m in to_score])
        else:
            scores = scorer.score([mention_text(m) for m in to_score])
        rows = [{"mention_id": m.id, "model": scorer.name, "model_version": scorer.version, "label": s.label,
                 "score": float(s.score), "confidence": float(s.confidence)} for m, s in zip(to_score, scores)]
        insert_ignoring_conflicts(session, SentimentScore, rows, ["mention_id", "model", "model_version"])
        for m, s in zip(to_score, scores):
            _apply_current(m, s)
        if tally is not None:
            tally.update(s.label for s in scores)
        release(session, STAGE, ids)
        session.commit()
        written += len(batch)
        if progress:
            progress(written)


def _embeddings(session: Session, encoder: Embedder, batch: list[Mention]) -> dict:
    """Stored embeddings of the batch, plus fresh ones (stored now) for mentions that have none."""
    vectors = mention_vectors(session, [m.id for m in batch], encoder.version)
    fresh = [m for m in batch if m.id not in vectors]
    if fresh:
        embedded = encoder.embed([mention_text(m) for m in fresh])
        store_mention_vectors(session, [m.id for m in fresh], embedded, encoder.version)
        vectors.update({m.id: vector for m, vector in zip(fresh, embedded)})
    return vectors


def score_stage(engine: Engine, settings: SentimentSettings, progress: Callable[[int, int], None] | None = None,
                tally: Counter | None = None) -> int:
    """The scoring stage of the loop: score what the configured model has not judged and embed what has no
    embedding. With nothing to do it loads no model (a score flow runs every few minutes; loading costs seconds)."""
    identity = scorer_identity(settings.model, settings.quantize)
    encoder_version = encoder_identity(settings.model, settings.quantize)
    if identity is not None:
        with session_scope(engine) as session:
            if not pending_count(session, *identity, encoder_version):
                return 0
    scorer = load_scorer(settings.model, quantize=settings.quantize, device=settings.device, precision=settings.precision)
    encoder = getattr(scorer, "encoder", None) or get_encoder(
        encoder_spec(settings.model), quantize=settings.quantize, device=scorer.device, precision=settings.precision)
    batch_size = settings.batch_size or (256 if scorer.device == "cpu" else 8192)
    with session_scope(engine) as session:
        total = pending_count(session, scorer.name, scorer.version, encoder.version)
        if progress and total:
            progress(0, total)  # the clock for the rate starts here
        return score_unscored(session, scorer, batch_size=batch_size, encoder=encoder,
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
