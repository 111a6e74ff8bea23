"""Per-brand relevance models learnt from agents' decisions: every mention an agent marked "about" or "not about
us" (the inbox's n key, and its undo) is a labelled example, over the embedding the scoring stage stored. A brand
with at least `relevance.min_decisions` of each label gets a logistic regression on those embeddings, used by the
drafting stage instead of the description-based default (understanding/relevance.py); a brand with fewer keeps
the default. Retrained by `careloop relevance train` and the scheduled `relevance` flow; the same decisions give
the same model, so a retraining with nothing new writes nothing.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from careloop.config import Config
from sentiment.scorer import encoder_identity
from store.embeddings import from_bytes
from store.models import Mention, MentionEmbedding, RelevanceFit, utcnow

FOLDS = 10
# ridge penalty on the mean loss: a few dozen decisions in hundreds of dimensions would otherwise be learnt by heart
L2 = 1e-3
NEWTON_STEPS = 50


@dataclass(frozen=True)
class LearntRelevance:
    """A fitted model: p(not about) of a mention's embedding."""

    center: np.ndarray
    weights: np.ndarray
    bias: float
    decisions: int

    def not_about(self, vector: np.ndarray) -> float:
        return float(_sigmoid((vector - self.center) @ self.weights + self.bias))

    @classmethod
    def from_row(cls, row: RelevanceFit) -> "LearntRelevance":
        p = row.parameters
        return cls(np.asarray(p["center"], np.float32), np.asarray(p["weights"], np.float32), float(p["bias"]),
                   row.about + row.not_about)


@dataclass(frozen=True)
class Training:
    """What one brand's retraining did, for the CLI and the flow's artifact."""

    brand: str
    about: int
    not_about: int
    outcome: str  # trained | unchanged | default
    precision: float | None = None
    recall: float | None = None

    HEADERS = ("brand", "about", "not about", "model", "precision of not about (10-fold)", "recall")

    def row(self) -> list:
        model = {"trained": "learnt, retrained", "unchanged": "learnt, no new decisions"}.get(self.outcome, "default")
        figures = ["", ""] if self.precision is None else [f"{self.precision:.3f}", f"{self.recall:.3f}"]
        return [self.brand, self.about, self.not_about, model, *figures]


def learnt_models(session: Session, encoder: str) -> dict[str, LearntRelevance]:
    return {row.brand: LearntRelevance.from_row(row)
            for row in session.scalars(select(RelevanceFit).where(RelevanceFit.encoder == encoder))}


def train(session: Session, config: Config) -> list[Training]:
    """Fits (or drops) each configured brand's model from the agents' decisions so far."""
    encoder = encoder_identity(config.sentiment.model, config.sentiment.quantize)
    decided = _decisions(session, encoder)
    stored = {row.brand: row for row in session.scalars(select(RelevanceFit).where(RelevanceFit.encoder == encoder))}
    results = []
    for brand in (b.name for b in config.brands):
        rows = decided.get(brand, [])
        labels = np.array([label == "not_about" for _, label, _ in rows], dtype=bool)
        about, not_about = int((~labels).sum()), int(labels.sum())
        if min(about, not_about) < config.relevance.min_decisions:
            if brand in stored:
                session.execute(delete(RelevanceFit).where(RelevanceFit.id == stored[brand].id))
            results.append(Training(brand, about, not_about, "default"))
            continue
        # the embedding's row, not the mention's: an edited mention is embedded anew (store.mentions.revise)
        fingerprint = hashlib.sha256(",".join(f"{key}:{label}" for key, label, _ in rows).encode()).hexdigest()
        row = stored.get(brand)
        if row is not None and row.fingerprint == fingerprint:
            results.append(Training(brand, about, not_about, "unchanged", row.precision, row.recall))
            continue
        vectors = np.stack([vector for _, _, vector in rows])
        precision, recall = cross_validated(vectors, labels)
        center, weights, bias = _fit(vectors, labels)
        if row is None:
            row = RelevanceFit(brand=brand, encoder=encoder)
            session.add(row)
        row.about, row.not_about, row.fingerprint = about, not_about, fingerprint
        row.precision, row.recall = precision, recall
        row.parameters = {"center": center.tolist(), "weights": weights.tolist(), "bias": bias}
        row.trained_at = utcnow()
        results.append(Training(brand, about, not_about, "trained", precision, recall))
    session.flush()
    return results


def _decisions(session: Session, encoder: str) -> dict[str, list[tuple[int, str, np.ndarray]]]:
    rows = session.execute(
        select(Mention.brand, MentionEmbedding.id, Mention.relevance, MentionEmbedding.vector)
        .join(MentionEmbedding, MentionEmbedding.mention_id == Mention.id)
        .where(Mention.relevance_source == "agent", Mention.relevance.in_(("about", "not_about")),
               MentionEmbedding.encoder == encoder)
        .order_by(Mention.id))
    decided: dict[str, list] = {}
    for brand, embedding_id, label, vector in rows:
        decided.setdefault(brand, []).append((embedding_id, label, from_bytes(vector)))
    return decided


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def _fit(vectors: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """L2-regularised logistic regression (Newton's method; the bias is not penalised), on embeddings centred on the
    decisions' mean: e5 vectors share a large common part, and what tells the labels apart is the rest. Both labels
    weigh the same however many decisions each has."""
    center = vectors.mean(axis=0)
    x = np.hstack([(vectors - center).astype(np.float64), np.ones((len(labels), 1))])
    y = labels.astype(np.float64)
    sample = np.where(labels, 0.5 / labels.sum(), 0.5 / (~labels).sum())
    penalty = np.full(x.shape[1], L2)
    penalty[-1] = 1e-9
    theta = np.zeros(x.shape[1])
    for _ in range(NEWTON_STEPS):
        chance = _sigmoid(x @ theta)
        gradient = x.T @ ((chance - y) * sample) + penalty * theta
        hessian = (x.T * (sample * chance * (1 - chance))) @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-6:
            break
    return center.astype(np.float32), theta[:-1].astype(np.float32), float(theta[-1])


def cross_validated(vectors: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Precision and recall of not_about, each decision predicted by a model fitted without its fold."""
    folds = np.arange(len(labels)) % FOLDS
    said = np.zeros(len(labels), dtype=bool)
    for fold in range(FOLDS):
        held = folds == fold
        center, weights, bias = _fit(vectors[~held], labels[~held])
        said[held] = _sigmoid((vectors[held] - center) @ weights + bias) >= 0.5
    hits = int((said & labels).sum())
    return (round(hits / int(said.sum()), 4) if said.any() else 1.0), round(hits / int(labels.sum()), 4)
