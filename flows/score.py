"""Score flow: every mention the configured model has not judged yet, in batches."""
from __future__ import annotations

from prefect import flow, task

from careloop.config import load_config
from careloop.loop import score_stage
from store.db import connect


@task(retries=1, retry_delay_seconds=30, timeout_seconds=3600)
def score_task(config_path: str | None) -> int:
    config = load_config(config_path)
    return score_stage(connect(config.database_url()), config)


@flow(name="careloop-score")
def score_flow(config_path: str | None = None) -> int:
    return score_task(config_path)
