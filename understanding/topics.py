"""Topics: what a mention is about, by nearest examples over e5 embeddings.

Each topic is a handful of example phrases (taxonomy.py, careloop.yaml `topics`, and every topic an agent fixed:
the fixed mention's stored embedding joins its topic's examples). A text's score for a topic is the mean of two
similarities: to the topic's centroid (all its examples: steady) and to its two nearest examples (a fixed case
that looks like this one counts). On tests/data/topics_labelled.tsv (212 mentions, en/cs/sk/ru, English and a
few cs/sk/ru examples) the blend scored 0.86 accuracy against 0.80 for the nearest example alone and 0.83 for
the centroid alone (measured with 150 examples; bench/drafting.py has today's figures). Confidence is the softmax of the scores at temperature 0.01 (e5 similarities sit in a narrow
band, 0.75–0.90); below `topics.min_confidence` the topic is unknown (None): at 0.3 that drops 3 % of mentions,
of which 86 % would have been wrong.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from careloop.config import TopicsConfig

from .taxonomy import EXAMPLES

TEMPERATURE = 0.01
NEAREST = 2


@dataclass(frozen=True)
class TopicGuess:
    topic: str | None  # None: no topic reached the confidence threshold
    confidence: float
    best: str  # the highest-scoring topic, even when unknown


def topic_examples(settings: TopicsConfig) -> dict[str, list[str]]:
    """The taxonomy in force: the defaults (unless `replace`) with careloop.yaml's phrases and topics added."""
    merged = {} if settings.replace else {name: list(phrases) for name, phrases in EXAMPLES.items()}
    for name, phrases in settings.examples.items():
        merged.setdefault(name, []).extend(phrases)
    return merged


class TopicClassifier:
    def __init__(self, topics: Sequence[str], example_topics: Sequence[str], example_vectors: np.ndarray,
                 min_confidence: float):
        self.topics = list(topics)
        index = {name: i for i, name in enumerate(self.topics)}
        self.example_index = np.array([index[name] for name in example_topics])
        self.examples = np.asarray(example_vectors, dtype=np.float32)
        centroids = np.stack([self.examples[self.example_index == i].mean(0) for i in range(len(self.topics))])
        self.centroids = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)
        self.min_confidence = min_confidence

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        vectors = np.asarray(vectors, dtype=np.float32)
        similarity = vectors @ self.examples.T
        nearest = np.full((len(vectors), len(self.topics)), -1.0, dtype=np.float32)
        for i in range(len(self.topics)):
            own = np.sort(similarity[:, self.example_index == i], axis=1)[:, ::-1][:, :NEAREST]
            nearest[:, i] = own.mean(1)
        return 0.5 * (vectors @ self.centroids.T) + 0.5 * nearest

    def classify(self, vectors: np.ndarray) -> list[TopicGuess]:
        if not len(vectors):
            return []
        scores = self.scores(vectors)
        weights = np.exp((scores - scores.max(1, keepdims=True)) / TEMPERATURE)
        probabilities = weights / weights.sum(1, keepdims=True)
        guesses = []
        for row in probabilities:
            best = int(row.argmax())
            confidence = float(row[best])
            topic = self.topics[best] if confidence >= self.min_confidence else None
            guesses.append(TopicGuess(topic, round(confidence, 4), self.topics[best]))
        return guesses


def build_classifier(settings: TopicsConfig, embed: Callable[[list[str]], np.ndarray],
                     fixed: Sequence[tuple[str, np.ndarray]] = ()) -> TopicClassifier:
    """`embed` turns phrases into vectors (stored ones where known: store.embeddings.text_vectors); `fixed` are
    (topic, embedding) pairs of mentions agents classified, which count as examples."""
    examples = topic_examples(settings)
    phrases = [(name, phrase) for name, items in examples.items() for phrase in items]
    vectors = embed([phrase for _, phrase in phrases])
    names = [name for name, _ in phrases]
    known = [(name, vector) for name, vector in fixed if name in examples]
    if known:
        names += [name for name, _ in known]
        vectors = np.vstack([vectors, np.stack([vector for _, vector in known])])
    return TopicClassifier(list(examples), names, vectors, settings.min_confidence)
