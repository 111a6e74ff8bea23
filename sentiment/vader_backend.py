"""VADER, the lexicon baseline most open-source monitors use; here only to compare against (English only)."""
from __future__ import annotations

from typing import Sequence

from .scores import Score


class VaderScorer:
    name = "vader"
    device = "cpu"

    def __init__(self):
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._sia = SentimentIntensityAnalyzer()
        self.version = "3.3.2"

    def score(self, texts: Sequence[str]) -> list[Score]:
        out = []
        for t in texts:
            c = self._sia.polarity_scores(t or "")["compound"]
            # the thresholds recommended by the VADER authors
            label = "positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral"
            out.append(Score(label, float(c), float(abs(c)) if label != "neutral" else 1.0 - abs(c) * 10))
        return out
