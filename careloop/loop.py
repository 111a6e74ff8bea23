"""The whole loop once, stage by stage, as plain functions: what `careloop run`, `careloop demo`
and the Prefect loop flow all call."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import Engine

from careloop.config import Config
from ingest.pipeline import IngestSummary, ingest_all


@dataclass
class LoopReport:
    ingest: list[IngestSummary] = field(default_factory=list)


def run_loop(engine: Engine, config: Config, on_source_done: Callable[[IngestSummary], None] | None = None) -> LoopReport:
    report = LoopReport()
    report.ingest = ingest_all(engine, config, on_done=on_source_done)
    return report
