"""Topic and relevance for a batch of mentions, from their stored embeddings (the drafting stage calls this
before choosing templates). An agent's decision (source "agent") is never overwritten."""
from __future__ import annotations

from functools import cached_property

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from careloop.config import Config
from store.embeddings import from_bytes, mention_vectors
from store.models import Mention, MentionEmbedding

from .embedder import stored_text_embedder
from .knowledge import KnowledgeBase, load_articles
from .relevance import RelevanceModel, care_phrases
from .relevance_training import learnt_models
from .topics import TopicClassifier, build_classifier, topic_examples


# Reviews of the brand's own app or shop are about it by where they come from, whatever they say.
REVIEW_SOURCES = frozenset({"appstore", "googleplay", "heureka", "trustpilot"})


class Understanding:
    """What one drafting run needs, built on first use from stored vectors (no encoder pass unless an example
    phrase or article is new)."""

    def __init__(self, session: Session, config: Config):
        self.session, self.config = session, config
        self.encoder, self.embed = stored_text_embedder(session, config.sentiment)

    @cached_property
    def topics(self) -> TopicClassifier:
        fixed = self.session.execute(
            select(Mention.topic, MentionEmbedding.vector).join(MentionEmbedding, MentionEmbedding.mention_id == Mention.id)
            .where(Mention.topic_source == "agent", Mention.topic.is_not(None), MentionEmbedding.encoder == self.encoder))
        return build_classifier(self.config.topics, self.embed, [(topic, from_bytes(vector)) for topic, vector in fixed])

    @cached_property
    def relevance(self) -> RelevanceModel:
        marks = self.session.execute(
            select(Mention.brand, Mention.relevance, MentionEmbedding.vector)
            .join(MentionEmbedding, MentionEmbedding.mention_id == Mention.id)
            .where(Mention.relevance_source == "agent", Mention.relevance.is_not(None), MentionEmbedding.encoder == self.encoder))
        return RelevanceModel(self.config.brands, self.embed, self.config.relevance.min_margin,
                              [(brand, label, from_bytes(vector)) for brand, label, vector in marks],
                              care=care_phrases(topic_examples(self.config.topics)),
                              learnt=learnt_models(self.session, self.encoder))

    @cached_property
    def knowledge(self) -> KnowledgeBase | None:
        folder = self.config.knowledge.path  # relative to careloop.yaml, resolved when it was loaded
        return None if folder is None else KnowledgeBase(load_articles(folder), self.embed)

    def suggestions(self, mention: Mention, vector: np.ndarray | None) -> dict:
        """What the inbox offers beside the draft: the best knowledge-base articles, with scores."""
        if vector is None or self.knowledge is None:
            return {}
        return {"articles": [match.as_dict() for match in self.knowledge.search(vector, mention.language, mention.brand)]}

    def annotate(self, mentions: list[Mention]) -> dict[int, np.ndarray]:
        """Sets topic (and relevance) on mentions that have an embedding; returns those embeddings by mention id."""
        vectors = mention_vectors(self.session, [m.id for m in mentions], self.encoder)
        if not vectors:
            return vectors
        embedded = [m for m in mentions if m.id in vectors]
        guesses = self.topics.classify(np.stack([vectors[m.id] for m in embedded]))
        for mention, guess in zip(embedded, guesses):
            if mention.topic_source != "agent":
                mention.topic, mention.topic_confidence, mention.topic_source = guess.topic, guess.confidence, "model"
            judgement = None if mention.source_type in REVIEW_SOURCES else self.relevance.judge(mention.brand, vectors[mention.id])
            if judgement is not None and mention.relevance_source != "agent":
                mention.relevance, mention.relevance_reason = judgement.relevance, judgement.reason or None
                mention.relevance_source = "model"
        return vectors
