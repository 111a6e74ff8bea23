"""`careloop stats --json`: one machine-readable summary that every stage adds its keys to.

Keys are only ever added, never renamed: dashboards and scripts read them.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from careloop.config import Config
from careloop.stages import STAGES
from ingest.health import stale_sources

# Each stage contributes one function of a session returning its keys (careloop/stage.py `stats`).
SECTIONS = [stage.stats for stage in STAGES if stage.stats]


def collect_stats(session: Session, config: Config | None = None) -> dict:
    """Every section's keys; with the configuration also `stale_sources` (sources silent past their stale age)."""
    stats: dict = {}
    for section in SECTIONS:
        stats.update(section(session))
    if config is not None:
        stats["stale_sources"] = stale_sources(session, config)
    return stats
