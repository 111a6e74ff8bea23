"""The one value every scorer returns, and the star-rating rule shared by reviews and 5-star models."""
from __future__ import annotations

from dataclasses import dataclass

LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Score:
    label: str  # "negative" | "neutral" | "positive"
    score: float  # signed, [-1, 1]: -1 very negative, +1 very positive
    confidence: float  # [0, 1]: probability of `label` (1.0 for stars a customer gave)


def label_for_stars(stars: float) -> str:
    """1–2 negative, 3 neutral, 4–5 positive; half stars go to the nearer side, 2.5 and 3.5 count as neutral."""
    if stars < 2.5:
        return "negative"
    if stars > 3.5:
        return "positive"
    return "neutral"


def stars_to_score(stars: float) -> Score:
    """A 1–5 star rating as a Score: 1★ = -1, 3★ = 0, 5★ = +1. The customer said it, so confidence is 1."""
    s = min(5.0, max(1.0, float(stars)))
    return Score(label=label_for_stars(s), score=round((s - 3.0) / 2.0, 4), confidence=1.0)


def from_probabilities(p_neg: float, p_neu: float, p_pos: float) -> Score:
    """3-class probabilities -> Score. The signed score is P(pos) - P(neg), so doubtful texts stay near 0."""
    probs = (p_neg, p_neu, p_pos)
    i = max(range(3), key=probs.__getitem__)
    return Score(label=LABELS[i], score=float(max(-1.0, min(1.0, p_pos - p_neg))), confidence=float(probs[i]))
