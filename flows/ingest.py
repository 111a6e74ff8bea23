"""Ingest flow: every enabled source (optionally of one type, or named ones) once, concurrently.

A failing source is retried, then recorded in the run log; the others still run. The flow run ends
Failed when any source failed, so Prefect alerts fire — after everything else was stored.
"""
from __future__ import annotations

from dataclasses import asdict

from prefect import flow, get_run_logger, task
from prefect.states import Failed

from careloop.config import load_config
from ingest.pipeline import ingest_source
from store.db import connect


@task(retries=2, retry_delay_seconds=[5, 30], timeout_seconds=600, task_run_name="ingest {source_name}")
def ingest_source_task(config_path: str | None, source_name: str) -> dict:
    config = load_config(config_path)
    source = next(source for source in config.sources if source.name == source_name)
    return asdict(ingest_source(connect(config.database_url()), config, source))


@flow(name="careloop-ingest", log_prints=True)
def ingest_flow(config_path: str | None = None, source_type: str | None = None, source_names: list[str] | None = None):
    config = load_config(config_path)
    selected = [
        source.name for source in config.sources
        if source.enabled
        and (source_type is None or source.type == source_type)
        and (source_names is None or source.name in source_names)
    ]
    connect(config.database_url())  # migrate once, before tasks run side by side
    futures = {name: ingest_source_task.submit(config_path, name) for name in selected}
    logger = get_run_logger()
    summaries, failed = [], []
    for name, future in futures.items():
        state = future.wait() or future.state
        if state.is_completed():
            summary = future.result()
            summaries.append(summary)
            logger.info("%s: %s new, %s edited, %s duplicates linked", name, summary["stored"], summary["updated"], summary["duplicates_linked"])
        else:
            failed.append(name)
            logger.error("source %r failed: %s", name, state.message)
    if failed:
        return Failed(message=f"{len(failed)} of {len(selected)} sources failed: {', '.join(failed)}; the others were stored")
    return summaries
