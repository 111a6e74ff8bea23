"""Notices flow: careloop.yaml's known issues brought up to date (new campaigns await a manager's approval), then
every approved notice that is due is sent through the outbox. Idempotent and safe with several workers: the outbox
claims rows, and each (contact, issue, stage) has one row. (Named notify_flow, not notices: Prefect puts this
folder on the import path, and a flow file named like a package would hide it.)"""
from __future__ import annotations

from prefect import flow, task
from prefect.states import Failed

from careloop.config import load_config
from notices.delivery import send_notices
from store.db import connect


# No task retries: the outbox retries temporary errors itself, and a retried send could reach someone twice.
@task(timeout_seconds=1800)
def send_notices_task(config_path: str | None) -> dict:
    config = load_config(config_path)
    return send_notices(connect(config.database_url()), config)


@flow(name="careloop-notices")
def notices_flow(config_path: str | None = None):
    counts = send_notices_task(config_path)
    if counts["failed"]:
        return Failed(message=f"{counts['failed']} notices failed (see careloop outbox list --status failed); "
                              f"{counts['sent']} sent")
    return counts
