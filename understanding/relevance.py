"""Relevance: is a mention that matched a brand keyword about the brand at all ("slack" the rope, Nokia the town)?

A brand is described by anchors: the sentences of `brands[].description`, "<brand> <product>" for each of
`brands[].products`, and what customers say to any brand's care team (the topic examples but `other`: "my order
has not arrived", "Reklamace trvá už měsíc"). The rest of the world is background.py: everyday sentences on sport,
crime, weather, towns, markets, ropes and idioms. A mention's score is how much nearer it is to its brand's anchors
than to the background (the mean similarity to the two nearest of each, subtracted): e5 similarities sit in a
narrow band (0.78–0.90) whatever the text, and the difference is what tells a slack rope from Slack. Below
`relevance.min_margin` a mention is not about us. Agents' decisions join the anchors: a mention nearer to one an
agent marked "not about us" than to any "about" anchor is not about us, and one nearer to an agent's "about" is
about. Measured in bench/drafting.py (tests/data/relevance_labelled.tsv, and the demo's feeds, where an absolute
similarity threshold hid real complaints: "Slack search misses messages" scored like the shooting report).
A brand without a description is never judged: every mention is about it. Once agents have decided enough
mentions of a brand, a model learnt from their decisions judges its mentions instead (relevance_training.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from careloop.config import Brand

from .background import BACKGROUND
from .relevance_training import LearntRelevance

NEAREST = 2


@dataclass(frozen=True)
class Judgement:
    relevance: str  # about | not_about
    score: float
    reason: str


def care_phrases(examples: dict[str, list[str]]) -> list[str]:
    """The topic examples that speak of a customer's business with a brand (all but `other`)."""
    return [phrase for topic, phrases in examples.items() if topic != "other" for phrase in phrases]


def anchors(brand: Brand) -> list[str]:
    sentences = [part.strip() for part in re.split(r"(?<=[.!?:;])\s+", brand.description) if part.strip()]
    return sentences + [f"{brand.name} {product}" for product in brand.products]


class RelevanceModel:
    def __init__(self, brands: Sequence[Brand], embed: Callable[[list[str]], np.ndarray], min_margin: float,
                 marks: Sequence[tuple[str, str, np.ndarray]] = (), care: Sequence[str] = (),
                 learnt: Mapping[str, LearntRelevance] | None = None):
        """`marks`: (brand, about | not_about, embedding) of mentions agents decided; `care`: phrases customers say
        to any brand's care team (care_phrases); `learnt`: brands' models fitted on enough of those decisions
        (relevance_training.py), which judge in place of the rest."""
        self.min_margin = min_margin
        self.learnt = dict(learnt or {})
        self.background = embed(BACKGROUND)
        self.anchors: dict[str, np.ndarray] = {}
        shared = embed(list(care)) if care else None
        for brand in brands:
            texts = anchors(brand)
            if brand.description and texts:
                own = embed(texts)
                self.anchors[brand.name] = own if shared is None else np.vstack([own, shared])
        self.marks: dict[tuple[str, str], np.ndarray] = {}
        for brand, label, vector in marks:
            key = (brand, label)
            self.marks[key] = np.vstack([self.marks[key], vector]) if key in self.marks else np.asarray([vector])

    def judge(self, brand: str | None, vector: np.ndarray) -> Judgement | None:
        """None: the brand has no description nor learnt model, so nothing to judge against."""
        if brand in self.learnt:
            return self._learnt_judgement(brand, vector)
        if brand not in self.anchors:
            return None
        similarity = self.anchors[brand] @ vector
        nearest = np.sort(similarity)[::-1][:NEAREST]
        elsewhere = np.sort(self.background @ vector)[::-1][:NEAREST]
        score = round(float(nearest.mean() - elsewhere.mean()), 4)
        marked = {label: float((self.marks[(brand, label)] @ vector).max())
                  for label in ("about", "not_about") if (brand, label) in self.marks}
        closest = float(nearest[0])
        if marked.get("not_about", -1) > max(closest, marked.get("about", -1)):
            return Judgement("not_about", score, f"like a mention an agent marked not about {brand} "
                                                 f"(similarity {marked['not_about']:.2f})")
        if marked.get("about", -1) > closest or score >= self.min_margin:
            return Judgement("about", score, "")
        return Judgement("not_about", score, f"closer to everyday topics than to what {brand} is (margin {score:+.3f} < "
                                             f"{self.min_margin:+.3f}, brands[].description)")

    def _learnt_judgement(self, brand: str, vector: np.ndarray) -> Judgement:
        model = self.learnt[brand]
        chance = model.not_about(vector)
        if chance < 0.5:
            return Judgement("about", round(1 - chance, 4), "")
        return Judgement("not_about", round(1 - chance, 4), f"like the mentions agents marked not about {brand} "
                                                            f"(model of {model.decisions} decisions, {chance:.0%} sure)")
