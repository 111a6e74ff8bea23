"""Ingest flow: every enabled source (optionally of one type, or named ones) once, side by side.

Each source is a task in its own process (Prefect's process pool): there a task timeout is a real deadline,
because Prefect interrupts the task's main thread with an alarm, and a read blocked on a socket is cut too.
In a worker thread it could only land once the blocking call returned. The connector stops itself at the
source's `deadline_seconds`; the task's hard stop at 1.5 × that catches what the connector cannot (a lookup or
handshake stuck in C code). A source failing for a reason that may pass (careloop.errors: a timeout, a refused
connection, HTTP 429 or 5xx) is retried after `fetch_retry_delays`; any other failure (refused credentials, a
malformed feed, the deadline) is not. Either way it is recorded in the run log, and the others still run.
The flow run ends Failed when any source failed, so Prefect alerts fire — after everything else was stored.
"""
from __future__ import annotations

from dataclasses import asdict

from prefect import flow, get_run_logger, task
from prefect.states import Failed
from prefect.task_runners import ProcessPoolTaskRunner

from careloop.config import SourceConfig, load_config
from flows.retries import only_retryable
from flows.run_output import forward_careloop_logs, publish_artifact, table
from ingest.health import prune_runs, stale_sources
from ingest.pipeline import ingest_source
from store.db import connect, session_scope

HARD_STOP = 1.5  # × deadline_seconds
MAX_PROCESSES = 4  # sources fetched at once; they wait on the network, not the CPU


@task(task_run_name="ingest {source_name}")
def ingest_source_task(config_path: str | None, source_name: str) -> dict:
    forward_careloop_logs()
    config = load_config(config_path)
    source = next(source for source in config.sources if source.name == source_name)
    return asdict(ingest_source(connect(config.database_url()), config, source))


def _task_for(source: SourceConfig):
    return ingest_source_task.with_options(
        timeout_seconds=source.deadline_seconds * HARD_STOP,
        retries=len(source.fetch_retry_delays), retry_delay_seconds=list(source.fetch_retry_delays) or 0,
        retry_condition_fn=only_retryable,
    )


@flow(name="careloop-ingest", timeout_seconds=3600)
def ingest_flow(config_path: str | None = None, source_type: str | None = None, source_names: list[str] | None = None):
    forward_careloop_logs()
    config = load_config(config_path)
    selected = [
        source for source in config.sources
        if source.enabled
        and (source_type is None or source.type == source_type)
        and (source_names is None or source.name in source_names)
    ]
    engine = connect(config.database_url())  # migrate once, before tasks run side by side
    logger = get_run_logger()
    summaries, failed = [], []
    # a process costs ~2 s of CPU to start: no more of them than sources
    with ProcessPoolTaskRunner(max_workers=max(1, min(len(selected), MAX_PROCESSES))) as runner:
        futures = {source.name: runner.submit(_task_for(source), {"config_path": config_path, "source_name": source.name})
                   for source in selected}
        for name, future in futures.items():
            state = future.wait() or future.state
            if state.is_completed():
                summary = future.result()
                summaries.append(summary)
                logger.info("%s: %s new, %s edited, %s duplicates linked", name, summary["stored"], summary["updated"],
                            summary["duplicates_linked"])
            else:
                failed.append(name)
                summaries.append({"source": name, "status": "failed", "fetched": 0, "stored": 0, "updated": 0,
                                  "duplicates_linked": 0, "problems": [state.message or state.name]})
                logger.error("source %r failed: %s", name, state.message)
    with session_scope(engine) as session:
        prune_runs(session, config.runs.keep_days)
        stale = stale_sources(session, config)
    body = table(["source", "status", "fetched", "new", "edited", "duplicates", "problems"],
                 [[s["source"], s["status"], s["fetched"], s["stored"], s["updated"], s["duplicates_linked"],
                   "; ".join(s["problems"])] for s in summaries])
    if stale:
        body += "\n\n## Stale sources\n\n" + table(
            ["source", "no success for", "stale after", "last error"],
            [[entry["name"], entry["silent_for"], entry["stale_after"], entry["last_error"] or ""] for entry in stale])
        logger.warning("stale sources: %s", ", ".join(entry["name"] for entry in stale))
    publish_artifact(f"careloop-ingest-{source_type or 'sources'}",
                     f"Ingest: {len(selected) - len(failed)} of {len(selected)} sources stored", body)
    if failed:
        return Failed(message=f"{len(failed)} of {len(selected)} sources failed: {', '.join(failed)}; the others were stored")
    return summaries
