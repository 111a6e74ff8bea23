"""Configuration of understanding (careloop.yaml `topics`, `relevance`, `knowledge`): topics, "not about us",
the knowledge base and earlier answers. Part of configuration's floor: imports nothing of the stages."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from careloop.strict import Strict


# The default taxonomy's names (understanding/taxonomy.py holds their examples and checks it has exactly these).
DEFAULT_TOPIC_NAMES = ("delivery", "repair", "account", "billing", "app_bug", "hardware", "availability",
                       "feature_request", "praise", "other")


class TopicsConfig(Strict):
    """Topic taxonomy (understanding/taxonomy.py): `examples` adds phrases to default topics or defines new ones;
    `replace: true` keeps only the topics listed here."""

    min_confidence: float = Field(default=0.3, ge=0, le=1)  # below it a mention's topic is unknown
    examples: dict[str, list[str]] = {}
    replace: bool = False

    @model_validator(mode="after")
    def _topics_have_examples(self) -> "TopicsConfig":
        empty = sorted(name for name, phrases in self.examples.items() if not phrases)
        if empty:
            raise ValueError(f"topics.examples: {empty} need at least one example phrase each")
        if self.replace and not self.examples:
            raise ValueError("topics.replace is true but topics.examples lists no topics")
        return self

    @property
    def names(self) -> list[str]:
        """The topics in force: the defaults (unless `replace`) and those `examples` adds."""
        defaults = [] if self.replace else list(DEFAULT_TOPIC_NAMES)
        return defaults + [name for name in self.examples if name not in defaults]


class RelevanceConfig(Strict):
    # A mention nearer to everyday topics than to its brand's description by less than this (understanding/
    # relevance.py: similarity to the brand minus similarity to the background) is "not about us".
    min_margin: float = Field(default=0.015, ge=-1, le=1)
    # A brand whose agents have marked at least this many mentions "about" and as many "not about us" gets a model
    # learnt from those decisions in place of the description-based default (understanding/relevance_training.py).
    min_decisions: int = Field(default=10, ge=2)


class KnowledgeConfig(Strict):
    path: Path | None = None  # a folder of markdown articles with front matter (understanding/knowledge.py)
    min_score: float = Field(default=0.86, ge=0, le=1)  # the best article at least this close is woven into the draft
    # an earlier approved reply to a mention at least this close is offered as "answered like this before"
    precedent_min_similarity: float = Field(default=0.90, ge=0, le=1)
