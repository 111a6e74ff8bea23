"""The whole loop once, stage by stage, as plain functions: what `careloop run`, `careloop demo`
and the Prefect loop flow all call."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import Engine

from careloop.config import Config
from drafting.pipeline import draft_mentions
from ingest.pipeline import IngestSummary, ingest_all
from publishing.pipeline import publish_pending
from sentiment.pipeline import score_unscored
from sentiment.scorer import load_scorer
from store.db import session_scope


@dataclass
class LoopReport:
    ingest: list[IngestSummary] = field(default_factory=list)
    scored: int = 0
    drafts: dict = field(default_factory=dict)
    published: dict = field(default_factory=dict)


def score_stage(engine: Engine, config: Config) -> int:
    scorer = load_scorer(config.sentiment.model, quantize=config.sentiment.quantize)
    with session_scope(engine) as session:
        return score_unscored(session, scorer, batch_size=config.sentiment.batch_size)


def draft_stage(engine: Engine, config: Config) -> dict:
    with session_scope(engine) as session:
        return draft_mentions(session, config)


def run_loop(engine: Engine, config: Config, on_stage: Callable[[str, object], None] | None = None) -> LoopReport:
    """Listen → understand → draft → publish what agents approved. Each stage reads the store."""
    notify = on_stage or (lambda stage, result: None)
    report = LoopReport()
    report.ingest = ingest_all(engine, config, on_done=lambda summary: notify("source", summary))
    notify("scoring", None)
    report.scored = score_stage(engine, config)
    report.drafts = draft_stage(engine, config)
    report.published = publish_pending(engine, config)
    notify("done", report)
    return report
