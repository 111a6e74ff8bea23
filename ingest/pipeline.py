"""Fetch one source since its cursor and store what is new, as plain functions (flows call these).

Everything a source delivers is cleaned here, at the boundary (connectors/text.py `clean_text`), and stored item by
item in isolation: one item the database refuses is recorded in `rejected_items` with its reason, and the source's
other items, the later sources and the rest of the loop go on.
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from careloop.config import Config, SourceConfig
from connectors import ConnectorError, FetchedMention, get_connector
from connectors.text import clean_text, clean_value
from store.db import session_scope
from store.mentions import get_or_create_source, insert_ignoring_conflicts, known_mentions, revise
from store.locks import hold
from store.models import Mention, Run, utcnow

from .conversations import attach_conversations
from .identity import canonical_url, text_hash
from .language import STATED, detect_language, prepare_detector, source_language
from .linking import relink
from .matching import matcher_for
from .runs import heartbeat, record_rejected, start_run

log = logging.getLogger("careloop.ingest")
MAX_TEXT = 20_000
MAX_ID = 500  # external ids are String(500): a longer one is refused by PostgreSQL, so it is rejected on every backend
INSERT_BATCH = 500


@dataclass
class IngestSummary:
    source: str
    type: str
    status: str = "ok"  # ok | warning | failed
    fetched: int = 0
    stored: int = 0
    updated: int = 0
    duplicates_linked: int = 0
    continued: int = 0  # new mentions that continue a conversation we answered (ingest/conversations.py)
    rejected: int = 0
    problems: list[str] = field(default_factory=list)


def ingest_source(engine: Engine, config: Config, source: SourceConfig) -> IngestSummary:
    """Fetch `source` since its cursor and store new or edited items. Raises ConnectorError after
    recording the failure in the run log; the cursor only moves when the items are stored."""
    summary = IngestSummary(source.name, source.type)
    with session_scope(engine) as session:
        row = get_or_create_source(session, source.name, source.type)
        cursor = dict(row.cursor or {})
    run = start_run(engine, source.name)
    with heartbeat(engine, run):
        try:
            result = get_connector(source.type).fetch(source, cursor, list(config.brands))
        except Exception as exc:
            error = exc if isinstance(exc, ConnectorError) else ConnectorError(source.name, f"{type(exc).__name__}: {exc}")
            summary.status, summary.problems = "failed", [clean_text(str(error))]
            _finish(engine, run, source, summary, cursor=None)
            log.error("%s", summary.problems[0])
            raise error from exc
        summary.fetched = len(result.mentions)
        prepare_detector(tuple(config.languages))  # before the write transaction, not inside it
        summary.problems = [clean_text(problem) for problem in result.problems]
        try:
            with session_scope(engine) as session:
                # Write first: on SQLite a transaction that read before its first write fails at once ("database is
                # locked", no busy wait) when another source committed meanwhile; this waits for the write lock.
                hold(session, f"ingest:{source.name}")
                source_row = get_or_create_source(session, source.name, source.type)
                touched, rejected = store_fetched(session, config, source, source_row.id, result.mentions, summary)
                record_rejected(session, run, source.name, rejected)
            with session_scope(engine) as session:  # after the commit: the pass must see this run's rows
                hold(session, f"ingest:{source.name}")
                summary.duplicates_linked = len(relink(session, touched))
        except Exception as exc:  # the run row says so instead of staying `running`; the cursor stays
            summary.status, summary.problems = "failed", [f"storing failed: {_reason(exc)}"]
            _finish(engine, run, source, summary, cursor=None)
            log.error("source %r: %s", source.name, summary.problems[0])
            raise
        summary.status = "warning" if summary.problems or summary.rejected else "ok"
        if result.not_modified:
            summary.status, summary.problems = _previous_outcome(engine, source.name, summary)
        for problem in summary.problems:
            log.warning("source %r: %s", source.name, problem)
        _finish(engine, run, source, summary, cursor=clean_value(result.cursor))
    return summary


def store_fetched(session: Session, config: Config, source: SourceConfig, source_id: int,
                  fetched: list[FetchedMention], summary: IngestSummary) -> tuple[set[int], dict[str, str]]:
    """Store new items and edits of known ones, each cleaned and in isolation; a new item that answers us joins
    our conversation. Returns the ids of the mentions it
    inserted or edited (for the duplicate-linking pass, which runs once they are committed) and the rejected
    items' external ids with the reason."""
    matcher = matcher_for(list(config.brands))
    rejected: dict[str, str] = {}
    unique: dict[str, FetchedMention] = {}
    for item in fetched:
        try:
            cleaned = clean_fetched(item)
        except Exception as exc:  # e.g. nesting deeper than Python recurses
            rejected[_printable_id(item.external_id)] = f"cannot be cleaned: {_reason(exc)}"
            continue
        problem = _invalid(cleaned)
        if problem:
            rejected[cleaned.external_id or "(none)"] = problem
        else:
            unique[cleaned.external_id] = cleaned  # a feed may repeat an entry
    known = known_mentions(session, source_id, unique)
    languages = tuple(config.languages)
    rows, touched = [], set()
    for external_id, item in unique.items():
        text = item.text[:MAX_TEXT]
        existing = known.get(external_id)
        try:
            if existing is not None:
                if _store_edit(session, existing, item, text, summary):
                    touched.add(existing.id)
                continue
            match = matcher.match(item.title, text, only=source.brand)
            if match is None:
                continue
            prior = source_language(source.type, source.options, item.extra)
            language, confidence = detect_language(f"{item.title or ''}\n{text}", languages, prior, source.type in STATED)
        except Exception as exc:
            rejected[external_id] = _reason(exc)
            continue
        canonical = canonical_url(item.url)
        rows.append({
            "source_id": source_id, "source_type": source.type, "external_id": external_id,
            "url": item.url, "canonical_url": canonical, "parent_external_id": item.parent_external_id,
            "author": (item.author or None) and item.author[:300], "title": item.title, "text": text,
            "text_hash": text_hash(item.title, text), "published_at": item.published_at, "fetched_at": utcnow(),
            "language": language, "language_confidence": confidence, "rating": item.rating,
            "brand": match.brand, "matched_keywords": match.keywords, "extra": item.extra, "raw": item.raw,
            "duplicate_of_id": None,
        })
    for start in range(0, len(rows), INSERT_BATCH):
        inserted = _insert(session, rows[start:start + INSERT_BATCH], rejected)
        summary.stored += len(inserted)
        touched.update(inserted)
    summary.continued += attach_conversations(session, touched, config.replies)
    summary.rejected = len(rejected)
    if rejected:
        example, reason = next(iter(rejected.items()))
        summary.problems.append(f"{len(rejected)} item(s) rejected (see rejected_items), e.g. {example[:80]!r}: {reason}")
    return touched, rejected


def clean_fetched(item: FetchedMention) -> FetchedMention:
    """The item with every string from outside cleaned (text, title, author, ids, URL, and inside extra and raw)."""
    def text_or_none(value):
        return clean_text(value) if isinstance(value, str) else value

    return dataclasses.replace(
        item, external_id=clean_text(str(item.external_id)), text=clean_text(item.text or ""),
        url=text_or_none(item.url), title=text_or_none(item.title), author=text_or_none(item.author),
        parent_external_id=text_or_none(item.parent_external_id),
        extra=clean_value(item.extra or {}), raw=clean_value(item.raw or {}),
    )


def _invalid(item: FetchedMention) -> str | None:
    if not item.external_id.strip():
        return "no external id"
    for name in ("external_id", "parent_external_id"):
        if len(getattr(item, name) or "") > MAX_ID:
            return f"{name.replace('_', ' ')} longer than {MAX_ID} characters"
    return None


def _store_edit(session: Session, existing: Mention, item: FetchedMention, text: str, summary: IngestSummary) -> bool:
    """Apply what the author changed (in a savepoint: a refused edit leaves the stored item as it was); True when
    it was an edit."""
    changes = _edits(existing, item, text)
    if not changes and (not item.extra or item.extra == existing.extra):
        return False
    with session.begin_nested():
        if changes:
            revise(session, existing, changes)
        else:
            existing.extra = item.extra  # live counters (Reddit score, helpful votes) are not edits
        session.flush()
    summary.updated += bool(changes)
    return bool(changes)


def _insert(session: Session, rows: list[dict], rejected: dict[str, str]) -> list[int]:
    """Insert a batch in one statement; when the database refuses it, row by row, rejecting only the rows refused."""
    try:
        with session.begin_nested():
            return insert_ignoring_conflicts(session, Mention, rows, ["source_id", "external_id"])
    except SQLAlchemyError as exc:
        if len(rows) == 1:
            rejected[rows[0]["external_id"]] = _reason(exc)
            return []
    return [id_ for row in rows for id_ in _insert(session, [row], rejected)]


def _reason(exc: BaseException) -> str:
    """The first line of the error the driver gave (not SQLAlchemy's echo of the statement and its parameters)."""
    message = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return clean_text(f"{type(getattr(exc, 'orig', None) or exc).__name__}: {message[0] if message else ''}")[:500]


def _printable_id(external_id) -> str:
    return clean_text(str(external_id))[:MAX_ID] if isinstance(external_id, str) else repr(external_id)[:MAX_ID]


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
            summary = IngestSummary(source.name, source.type, status="failed", problems=[clean_text(str(error))])
        except Exception as error:  # a storage failure: ingest_source recorded it in the run log
            summary = IngestSummary(source.name, source.type, status="failed", problems=[f"storing failed: {_reason(error)}"])
        summaries.append(summary)
        if on_done:
            on_done(summary)
    return summaries
