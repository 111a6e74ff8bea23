"""The run log's life cycle: a row per source per run that starts `running`, beats while it works, and ends `ok`,
`warning`, `failed` — or `interrupted`, when its process died and its heartbeat stopped."""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Iterator

from sqlalchemy import Engine, func, update
from sqlalchemy.orm import Session

from store.db import session_scope
from store.mentions import insert_ignoring_conflicts
from store.models import RejectedItem, Run, utcnow

log = logging.getLogger("careloop.ingest")
HEARTBEAT_SECONDS = 30.0
# Ten missed heartbeats: a live run beats through every fetch (its thread does not wait for the network), so only a
# run whose process is gone stays silent this long.
INTERRUPTED_AFTER = timedelta(seconds=10 * HEARTBEAT_SECONDS)


def start_run(engine: Engine, source_name: str) -> int:
    """Close runs whose heartbeat stopped, then open this one."""
    with session_scope(engine) as session:
        closed = close_interrupted_runs(session)
        if closed:
            log.warning("closed %d run(s) whose process stopped without finishing them: status interrupted", closed)
        run = Run(source_name=source_name, stage="ingest", heartbeat_at=utcnow())
        session.add(run)
        session.flush()
        return run.id


def close_interrupted_runs(session: Session, now: datetime | None = None) -> int:
    """Mark `interrupted` the running rows whose heartbeat is older than INTERRUPTED_AFTER; returns how many."""
    now = now or utcnow()
    last_sign = func.coalesce(Run.heartbeat_at, Run.started_at)
    return session.execute(
        update(Run).where(Run.status == "running", Run.finished_at.is_(None), last_sign < now - INTERRUPTED_AFTER)
        .values(status="interrupted", finished_at=now,
                message="the process running it stopped (no heartbeat); the cursor did not move, the next run reads again")
        .execution_options(synchronize_session=False)
    ).rowcount


@contextmanager
def heartbeat(engine: Engine, run_id: int, every: float = HEARTBEAT_SECONDS) -> Iterator[None]:
    """Touch the run's heartbeat every `every` seconds from a thread while the block runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                with session_scope(engine) as session:
                    session.execute(update(Run).where(Run.id == run_id, Run.finished_at.is_(None)).values(heartbeat_at=utcnow()))
            except Exception as exc:  # a locked database delays a beat; the next one tries again
                log.warning("run %d: heartbeat not written: %s", run_id, type(exc).__name__)

    thread = threading.Thread(target=beat, name=f"careloop-run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def record_rejected(session: Session, run_id: int, source_name: str, rejected: dict[str, str]) -> None:
    """Keep why each item could not be stored; an item rejected again gets its newest reason."""
    for external_id, reason in rejected.items():
        row = {"source_name": source_name, "external_id": external_id[:500], "reason": reason, "run_id": run_id,
               "rejected_at": utcnow()}
        if not insert_ignoring_conflicts(session, RejectedItem, [row], ["source_name", "external_id"]):
            session.execute(update(RejectedItem).where(RejectedItem.source_name == source_name,
                                                       RejectedItem.external_id == row["external_id"])
                            .values(reason=reason, run_id=run_id, rejected_at=row["rejected_at"]))
