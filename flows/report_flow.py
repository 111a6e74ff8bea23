"""Digests flow (the `digests` deployment): whatever the reports stage has due — terms and daily rollup brought up
to date, alerts raised, due digests built — delivered through the outbox; each digest is left as a markdown
artifact on the flow run, and the run's alerts and sends as one more.

No retries: the outbox decides what may be sent again, and digests and alerts are recorded once per period and
window (a retried run would only redo the work). Its deployment runs one at a time."""
from __future__ import annotations

from prefect import flow, get_run_logger

from careloop.config import load_config
from flows.run_output import counts_table, forward_careloop_logs, publish_artifact
from reports.artifact import alerts_markdown, digest_markdown
from reports.digests import file_slug
from reports.pipeline import run_reports
from store.db import connect


@flow(name="careloop-digests", timeout_seconds=1800)
def digests_flow(config_path: str | None = None) -> dict:
    forward_careloop_logs()
    config = load_config(config_path)
    run = run_reports(connect(config.database_url()), config)
    logger = get_run_logger()
    for built in run.digests:
        key = "digest-" + file_slug(built.name).lower().replace("_", "-").replace(".", "-")
        publish_artifact(key, f"Digest {built.name}", digest_markdown(built.figures, built.language))
        logger.info("digest %s for %s built", built.name, built.figures["period"]["label"])
    for alert in run.alerts:
        logger.warning("alert: %s", alert["explanation"])
    publish_artifact("careloop-digests", f"Digests: {len(run.digests)} built, {len(run.alerts)} alerts",
                     (alerts_markdown(run.alerts) + "\n\n" if run.alerts else "") + counts_table(
                         {"queued": run.queued, **run.delivery}))
    return {"digests": [built.name for built in run.digests], "alerts": len(run.alerts), "queued": run.queued,
            **run.delivery}
