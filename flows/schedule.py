"""Deployments built from careloop.yaml for `careloop schedule`: one ingest deployment per source, on the
source's own `schedule`, plus the score, draft, publish, notices, surveys, digests, emerging and relevance stages,
served by this process (`prefect.serve`).

Their names start with "schedule-", so they never overwrite the work-pool deployments of prefect.yaml
(`prefect deploy --all`), which share the flows: both can be registered on one Prefect server.
"""
from __future__ import annotations

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

from careloop.config import Config, is_cron, schedule_interval
from flows.draft_flow import draft_flow
from flows.emerging_flow import emerging_flow
from flows.ingest_flow import ingest_flow
from flows.notify_flow import notices_flow
from flows.publish_flow import publish_flow
from flows.relevance_flow import relevance_flow
from flows.report_flow import digests_flow
from flows.score_flow import score_flow
from flows.survey_flow import surveys_flow

PREFIX = "schedule-"
# One run at a time where a second would only wait on the first (the same source, the one outbox); a run due
# while the previous one is still busy is cancelled, not queued behind it.
ONE_AT_A_TIME = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)


def source_deployments(config: Config) -> list:
    config_path = str(config.path)
    deployments = [
        ingest_flow.to_deployment(
            name=f"{PREFIX}ingest-{source.name}", **_when(source.schedule), concurrency_limit=ONE_AT_A_TIME,
            parameters={"config_path": config_path, "source_names": [source.name]},
            description=f"{source.type} source {source.name}",
        )
        for source in config.sources if source.enabled
    ]
    for name, stage in (("score", score_flow), ("draft", draft_flow), ("publish", publish_flow), ("notices", notices_flow),
                        ("surveys", surveys_flow), ("digests", digests_flow), ("emerging", emerging_flow),
                        ("relevance", relevance_flow)):
        deployments.append(stage.to_deployment(
            name=f"{PREFIX}{name}", **_when(getattr(config.schedules, name)), parameters={"config_path": config_path},
            concurrency_limit=None if name in ("score", "draft") else ONE_AT_A_TIME,  # those two share work by claims
        ))
    return deployments


def _when(schedule: str) -> dict:
    return {"cron": schedule} if is_cron(schedule) else {"interval": schedule_interval(schedule)}
