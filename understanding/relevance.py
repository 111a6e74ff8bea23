"""Relevance: is a mention that matched a brand keyword about the brand at all ("slack" the rope, Nokia the town)?

A brand is described by anchors: the sentences of `brands[].description` and "<brand> <product>" for each of
`brands[].products`. A mention's score is the mean similarity of its embedding to its two nearest anchors; below
`relevance.min_similarity` it is not about us. Agents' decisions join the anchors: a mention nearer to one an agent
marked "not about us" than to any "about" anchor is not about us, and one nearer to an agent's "about" is about.
On tests/data/relevance_labelled.tsv (81 mentions, en/cs/sk/ru, Nokia and Slack) 0.84 gives precision 0.97 and
recall 0.95 for "not about us"; the brand's description alone, one vector, reaches 0.90/0.92 at best.
A brand without a description is never judged: every mention is about it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from careloop.config import Brand

NEAREST = 2


@dataclass(frozen=True)
class Judgement:
    relevance: str  # about | not_about
    score: float
    reason: str


def anchors(brand: Brand) -> list[str]:
    sentences = [part.strip() for part in re.split(r"(?<=[.!?:;])\s+", brand.description) if part.strip()]
    return sentences + [f"{brand.name} {product}" for product in brand.products]


class RelevanceModel:
    def __init__(self, brands: Sequence[Brand], embed: Callable[[list[str]], np.ndarray], min_similarity: float,
                 marks: Sequence[tuple[str, str, np.ndarray]] = ()):
        """`marks`: (brand, about | not_about, embedding) of mentions agents decided."""
        self.min_similarity = min_similarity
        self.anchors: dict[str, tuple[list[str], np.ndarray]] = {}
        for brand in brands:
            texts = anchors(brand)
            if brand.description and texts:
                self.anchors[brand.name] = (texts, embed(texts))
        self.marks: dict[tuple[str, str], np.ndarray] = {}
        for brand, label, vector in marks:
            key = (brand, label)
            self.marks[key] = np.vstack([self.marks[key], vector]) if key in self.marks else np.asarray([vector])

    def judge(self, brand: str | None, vector: np.ndarray) -> Judgement | None:
        """None: the brand has no description, so nothing to judge against."""
        if brand not in self.anchors:
            return None
        texts, vectors = self.anchors[brand]
        similarity = vectors @ vector
        nearest = np.argsort(-similarity)[:NEAREST]
        score = round(float(similarity[nearest].mean()), 4)
        marked = {label: float((self.marks[(brand, label)] @ vector).max())
                  for label in ("about", "not_about") if (brand, label) in self.marks}
        closest = float(similarity[nearest[0]])
        if marked.get("not_about", -1) > max(closest, marked.get("about", -1)):
            return Judgement("not_about", score, f"like a mention an agent marked not about {brand} "
                                                 f"(similarity {marked['not_about']:.2f})")
        if marked.get("about", -1) > closest or score >= self.min_similarity:
            return Judgement("about", score, "")
        return Judgement("not_about", score, f"far from what {brand} is (similarity {score:.2f} < "
                                             f"{self.min_similarity:.2f} to brands[].description)")
