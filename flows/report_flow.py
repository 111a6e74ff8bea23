"""Digests flow (the `digests` deployment): whatever the reports stage has due — terms and daily rollup brought up
to date, alerts raised, due digests built — delivered through the outbox, and each digest left as a Prefect
markdown artifact on the flow run. Named report_flow.py: a flow file named like a package (reports/) would hide
it, since Prefect puts the flow file's folder on the import path."""
from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from careloop.config import load_config
from reports.artifact import alerts_markdown, digest_markdown
from reports.digests import file_slug
from reports.pipeline import run_reports
from store.db import connect


# No task retries: the outbox decides what may be sent again (a retried run could not send twice anyway, the
# digest and alert rows are unique, but it would redo the work).
@task(timeout_seconds=1800)
def reports_task(config_path: str | None) -> dict:
    config = load_config(config_path)
    run = run_reports(connect(config.database_url()), config)
    return {"digests": [{"name": built.name, "figures": built.figures, "language": built.language} for built in run.digests],
            "alerts": run.alerts, "queued": run.queued, "delivery": run.delivery}


@flow(name="careloop-digests")
def digests_flow(config_path: str | None = None) -> dict:
    result = reports_task(config_path)
    logger = get_run_logger()
    for digest in result["digests"]:
        create_markdown_artifact(digest_markdown(digest["figures"], digest["language"]),
                                 key=f"digest-{file_slug(digest['name']).lower().replace('_', '-').replace('.', '-')}",
                                 description=f"digest {digest['name']} {digest['figures']['period']['label']}")
        logger.info("digest %s for %s built", digest["name"], digest["figures"]["period"]["label"])
    if result["alerts"]:
        create_markdown_artifact(alerts_markdown(result["alerts"]), key="alerts", description="alerts raised")
        for alert in result["alerts"]:
            logger.warning("alert: %s", alert["explanation"])
    logger.info("outbox: %s queued, delivery %s", result["queued"], result["delivery"])
    return {"digests": [digest["name"] for digest in result["digests"]], "alerts": len(result["alerts"]),
            "queued": result["queued"], **result["delivery"]}
