"""Deployments built from careloop.yaml: one ingest deployment per source, on the source's own `schedule`,
plus the score, draft, publish and notices stages. `careloop schedule` serves them with Prefect (`prefect.serve`);
prefect.yaml declares the same stages per source type for work pools."""
from __future__ import annotations

from careloop.config import Config
from flows.ingest import ingest_flow
from flows.notify_flow import notices_flow
from flows.replies import draft_flow, publish_flow
from flows.score import score_flow

STAGE_SCHEDULES = {"score": "*/5 * * * *", "draft": "*/5 * * * *", "publish": "*/2 * * * *", "notices": "*/5 * * * *"}


def source_deployments(config: Config) -> list:
    config_path = str(config.path)
    deployments = [
        ingest_flow.to_deployment(
            name=f"ingest-{source.name}", cron=source.schedule,
            parameters={"config_path": config_path, "source_names": [source.name]},
            description=f"{source.type} source {source.name}",
        )
        for source in config.sources if source.enabled
    ]
    for name, stage in (("score", score_flow), ("draft", draft_flow), ("publish", publish_flow), ("notices", notices_flow)):
        deployments.append(stage.to_deployment(name=name, cron=STAGE_SCHEDULES[name], parameters={"config_path": config_path}))
    return deployments
