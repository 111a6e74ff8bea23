"""Fetch one source since its cursor and store what is new, as plain functions (flows call these)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from careloop.config import Config, SourceConfig
from connectors import ConnectorError, FetchedMention, get_connector
from store.db import session_scope
from store.mentions import get_or_create_source, insert_ignoring_conflicts, known_mentions, revise
from store.models import Mention, Run, utcnow

from .identity import canonical_url, text_hash
from .language import STATED, detect_language, source_language
from .linking import relink
from .matching import matcher_for

log = logging.getLogger("careloop.ingest")
MAX_TEXT = 20_000


@dataclass
class IngestSummary:
    source: str
    type: str
    status: str = "ok"  # ok | warning | failed
    fetched: int = 0
    stored: int = 0
    updated: int = 0
    duplicates_linked: int = 0
    problems: list[str] = field(default_factory=list)


def ingest_source(engine: Engine, config: Config, source: SourceConfig) -> IngestSummary:
    """Fetch `source` since its cursor and store new or edited items. Raises ConnectorError after
    recording the failure in the run log; the cursor only moves when the items are stored."""
    summary = IngestSummary(source.name, source.type)
    with session_scope(engine) as session:
        row = get_or_create_source(session, source.name, source.type)
        cursor = dict(row.cursor or {})
    run = _start_run(engine, source.name)
    try:
        result = get_connector(source.type).fetch(source, cursor, list(config.brands))
    except Exception as exc:
        error = exc if isinstance(exc, ConnectorError) else ConnectorError(source.name, f"{type(exc).__name__}: {exc}")
        summary.status, summary.problems = "failed", [str(error)]
        _finish(engine, run, source, summary, cursor=None)
        log.error("%s", error)
        raise error from exc
    summary.fetched = len(result.mentions)
    summary.problems = list(result.problems)
    with session_scope(engine) as session:
        source_row = get_or_create_source(session, source.name, source.type)
        touched = store_fetched(session, config, source, source_row.id, result.mentions, summary)
    with session_scope(engine) as session:  # after the commit: the pass must see this run's rows
        summary.duplicates_linked = len(relink(session, touched))
    summary.status = "warning" if summary.problems else "ok"
    if result.not_modified:
        summary.status, summary.problems = _previous_outcome(engine, source.name, summary)
    for problem in summary.problems:
        log.warning("source %r: %s", source.name, problem)
    _finish(engine, run, source, summary, cursor=result.cursor)
    return summary


def store_fetched(session: Session, config: Config, source: SourceConfig, source_id: int,
                  fetched: list[FetchedMention], summary: IngestSummary) -> set[int]:
    """Store new items and edits of known ones; returns the ids of the mentions it inserted or edited (for the
    duplicate-linking pass, which runs once they are committed)."""
    matcher = matcher_for(list(config.brands))
    unique = {item.external_id: item for item in fetched}  # a feed may repeat an entry
    known = known_mentions(session, source_id, unique)
    languages = tuple(config.languages)
    rows, touched = [], set()
    for external_id, item in unique.items():
        text = (item.text or "")[:MAX_TEXT]
        existing = known.get(external_id)
        if existing is not None:
            changes = _edits(existing, item, text)
            if changes:
                revise(session, existing, changes)
                summary.updated += 1
                touched.add(existing.id)
            elif item.extra and item.extra != existing.extra:
                existing.extra = item.extra  # live counters (Reddit score, helpful votes) are not edits
            continue
        match = matcher.match(item.title, text, only=source.brand)
        if match is None:
            continue
        prior = source_language(source.type, source.options, item.extra)
        language, confidence = detect_language(f"{item.title or ''}\n{text}", languages, prior, source.type in STATED)
        rows.append({
            "source_id": source_id, "source_type": source.type, "external_id": external_id,
            "url": item.url, "canonical_url": canonical_url(item.url), "parent_external_id": item.parent_external_id,
            "author": (item.author or None) and item.author[:300], "title": item.title, "text": text,
            "text_hash": text_hash(item.title, text), "published_at": item.published_at, "fetched_at": utcnow(),
            "language": language, "language_confidence": confidence, "rating": item.rating,
            "brand": match.brand, "matched_keywords": match.keywords, "extra": item.extra, "raw": item.raw,
            "duplicate_of_id": None,
        })
    for start in range(0, len(rows), 500):
        inserted = insert_ignoring_conflicts(session, Mention, rows[start:start + 500], ["source_id", "external_id"])
        summary.stored += len(inserted)
        touched.update(inserted)
    return touched


def _edits(existing: Mention, item: FetchedMention, text: str) -> dict:
    """What the author changed: title, text or stars. The new `extra` rides along with an edit."""
    current = {"title": item.title, "text": text, "rating": item.rating}
    changes = {key: value for key, value in current.items() if value != getattr(existing, key)}
    if changes:
        changes["text_hash"] = text_hash(item.title, text)
        if item.extra:
            changes["extra"] = item.extra
    return changes


def _previous_outcome(engine: Engine, source_name: str, summary: IngestSummary) -> tuple[str, list[str]]:
    """An unchanged document keeps the warning its last parse earned (a malformed feed stays malformed)."""
    with session_scope(engine) as session:
        last = session.scalars(
            select(Run).where(Run.source_name == source_name, Run.status != "failed", Run.finished_at.is_not(None))
            .order_by(Run.id.desc()).limit(1)
        ).first()
    if last is None or last.status != "warning":
        return summary.status, summary.problems
    return "warning", (last.message or "").splitlines()


def _start_run(engine: Engine, source_name: str) -> int:
    with session_scope(engine) as session:
        run = Run(source_name=source_name, stage="ingest")
        session.add(run)
        session.flush()
        return run.id


def _finish(engine: Engine, run_id: int, source: SourceConfig, summary: IngestSummary, cursor: dict | None) -> None:
    with session_scope(engine) as session:
        run = session.get(Run, run_id)
        run.finished_at = utcnow()
        run.status = summary.status
        run.fetched, run.stored, run.updated = summary.fetched, summary.stored, summary.updated
        run.duplicates_linked = summary.duplicates_linked
        run.message = "\n".join(summary.problems)[:10_000] or None
        source_row = get_or_create_source(session, source.name, source.type)
        source_row.last_run_at = run.finished_at
        source_row.last_status = summary.status
        if summary.status != "failed":
            source_row.last_success_at = run.finished_at
        source_row.last_error = run.message if summary.status == "failed" else None
        if cursor is not None:
            source_row.cursor = cursor


def ingest_all(engine: Engine, config: Config, on_done: Callable[[IngestSummary], None] | None = None) -> list[IngestSummary]:
    """Every enabled source once; a failing source is recorded and the others still run."""
    summaries = []
    for source in config.sources:
        if not source.enabled:
            continue
        try:
            summary = ingest_source(engine, config, source)
        except ConnectorError as error:
            summary = IngestSummary(source.name, source.type, status="failed", problems=[str(error)])
        summaries.append(summary)
        if on_done:
            on_done(summary)
    return summaries
