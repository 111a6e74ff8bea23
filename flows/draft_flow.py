"""Draft flow: a checked reply (or "no reply needed" with the reason) for every scored mention without one."""
from __future__ import annotations

from prefect import flow

from careloop.config import load_config
from flows.run_output import counts_table, forward_careloop_logs, progress_to_log, publish_artifact
from drafting.pipeline import draft_stage
from store.db import connect


@flow(name="careloop-draft", timeout_seconds=1800, retries=1, retry_delay_seconds=30)
def draft_flow(config_path: str | None = None) -> dict:
    forward_careloop_logs()
    config = load_config(config_path)
    counts = draft_stage(connect(config.database_url()), config, progress=progress_to_log("drafting"))
    publish_artifact("careloop-draft", "Drafting", counts_table(counts))
    return counts
