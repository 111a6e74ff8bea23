"""The whole loop once, stage by stage, as plain functions: what `careloop run` and `careloop demo` call
(the Prefect loop flow runs the same stages as subflows)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import Engine

from careloop.config import Config
from drafting.pipeline import draft_stage
from ingest.pipeline import IngestSummary, ingest_all
from publishing.pipeline import publish_pending
from sentiment.pipeline import score_stage


@dataclass
class LoopReport:
    ingest: list[IngestSummary] = field(default_factory=list)
    scored: int = 0
    drafts: dict = field(default_factory=dict)
    published: dict = field(default_factory=dict)


def run_loop(engine: Engine, config: Config, on_stage: Callable[[str, object], None] | None = None,
             progress: Callable[[str, int, int], None] | None = None) -> LoopReport:
    """Listen → understand → draft → publish what agents approved. Each stage reads the store.
    `on_stage` hears of each finished source and stage; `progress(stage, done, total)` of long stages."""
    notify = on_stage or (lambda stage, result: None)
    report = LoopReport()
    report.ingest = ingest_all(engine, config, on_done=lambda summary: notify("source", summary))
    notify("scoring", None)
    report.scored = score_stage(engine, config.sentiment, progress=progress and (lambda d, t: progress("scoring", d, t)))
    notify("drafting", None)
    report.drafts = draft_stage(engine, config, progress=progress and (lambda d, t: progress("drafting", d, t)))
    report.published = publish_pending(engine, config)
    notify("done", report)
    return report
