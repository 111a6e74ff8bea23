"""Surveys flow: queue what automatic survey campaigns have due (scheduled rounds, CSAT after replies and resolved
issues) through the one contact policy, deliver queued survey e-mails through the outbox, score new comments.
Idempotent and safe with several workers: rounds are keyed per contact, the outbox claims rows.

No retries here: the outbox retries temporary errors itself, and a retried flow could reach someone twice."""
from __future__ import annotations

from prefect import flow
from prefect.states import Failed

from careloop.config import load_config
from flows.run_output import counts_table, forward_careloop_logs, publish_artifact
from store.db import connect
from surveys.delivery import run_surveys


@flow(name="careloop-surveys", timeout_seconds=1800)
def surveys_flow(config_path: str | None = None):
    forward_careloop_logs()
    config = load_config(config_path)
    result = run_surveys(connect(config.database_url()), config)
    queued = {f"{name}: {status}": count for name, counts in result["queued"].items() for status, count in counts.items()}
    publish_artifact("careloop-surveys", "Surveys", counts_table({**queued, **result["delivered"],
                                                                  "comments scored": result["comments_scored"]}))
    if result["delivered"]["failed"]:
        return Failed(message=f"{result['delivered']['failed']} survey e-mails failed (careloop outbox list --status failed)")
    return result
