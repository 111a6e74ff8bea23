"""Draft and publish flows: draft replies for scored mentions; post approved replies exactly once."""
from __future__ import annotations

from prefect import flow, task
from prefect.states import Failed

from careloop.config import load_config
from careloop.loop import draft_stage
from publishing.pipeline import publish_pending
from store.db import connect


@task(retries=1, retry_delay_seconds=30, timeout_seconds=1800)
def draft_task(config_path: str | None) -> dict:
    config = load_config(config_path)
    return draft_stage(connect(config.database_url()), config)


@flow(name="careloop-draft")
def draft_flow(config_path: str | None = None) -> dict:
    return draft_task(config_path)


# No task retries here: the outbox decides what may be sent again (a retried send could post twice).
@task(timeout_seconds=1800)
def publish_task(config_path: str | None) -> dict:
    config = load_config(config_path)
    return publish_pending(connect(config.database_url()), config)


@flow(name="careloop-publish")
def publish_flow(config_path: str | None = None):
    counts = publish_task(config_path)
    if counts["failed"]:
        return Failed(message=f"{counts['failed']} replies failed to publish; see the inbox for errors and retry")
    return counts
