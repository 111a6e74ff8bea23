"""Publish flow: approved replies, exactly once, through the outbox.

No retries here: the outbox decides what may be sent again (a retried send could post twice). Its deployment
runs one at a time, and a run due while another is still sending is cancelled rather than queued."""
from __future__ import annotations

from prefect import flow
from prefect.states import Failed

from careloop.config import load_config
from flows.run_output import counts_table, forward_careloop_logs, publish_artifact
from publishing.pipeline import publish_pending
from store.db import connect


@flow(name="careloop-publish", timeout_seconds=900)
def publish_flow(config_path: str | None = None):
    forward_careloop_logs()
    config = load_config(config_path)
    counts = publish_pending(connect(config.database_url()), config)
    publish_artifact("careloop-publish", "Publishing", counts_table(counts))
    if counts["failed"]:
        return Failed(message=f"{counts['failed']} replies failed to publish; see the inbox for errors and retry")
    return counts
