"""Notices flow: careloop.yaml's known issues brought up to date (new campaigns await a manager's approval), then
every approved notice that is due is sent through the outbox. Idempotent and safe with several workers: the outbox
claims rows, and each (contact, issue, stage) has one row.

No retries here: the outbox retries temporary errors itself, and a retried flow could reach someone twice."""
from __future__ import annotations

from prefect import flow
from prefect.states import Failed

from careloop.config import load_config
from flows.run_output import counts_table, forward_careloop_logs, publish_artifact
from notices.delivery import send_notices
from store.db import connect


@flow(name="careloop-notices", timeout_seconds=1800)
def notices_flow(config_path: str | None = None):
    forward_careloop_logs()
    config = load_config(config_path)
    counts = send_notices(connect(config.database_url()), config)
    publish_artifact("careloop-notices", "Notices", counts_table(counts))
    if counts["failed"]:
        return Failed(message=f"{counts['failed']} notices failed (careloop outbox list --status failed); "
                              f"{counts['sent']} sent")
    return counts
