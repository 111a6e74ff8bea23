"""Deployments built from careloop.yaml for `careloop schedule`: every stage's declared deployments
(careloop/stages.py), one ingest deployment per source on the source's own `schedule`, the others on
careloop.yaml's `schedules`, served by this process (`prefect.serve`).

Their names start with "schedule-", so they never overwrite the work-pool deployments of prefect.yaml
(`prefect deploy --all`), which share the flows: both can be registered on one Prefect server.
"""
from __future__ import annotations

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

import importlib

from careloop.config import Config, is_cron, schedule_interval
from careloop.stage import Deployment
from careloop.stages import deployments as declared_deployments

PREFIX = "schedule-"
# One run at a time where a second would only wait on the first (the same source, the one outbox); a run due
# while the previous one is still busy is cancelled, not queued behind it.
ONE_AT_A_TIME = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)


def source_deployments(config: Config) -> list:
    """Each stage's deployments (careloop/stages.py), in loop order: per-source ones once per enabled source on its
    own `schedule`, the others on careloop.yaml's `schedules.<name>`."""
    config_path = str(config.path)
    deployments = []
    for declared in declared_deployments():
        stage = flow_of(declared)
        limit = ONE_AT_A_TIME if declared.one_at_a_time else None
        if declared.per_source:
            deployments += [
                stage.to_deployment(
                    name=f"{PREFIX}{declared.name}-{source.name}", **_when(source.schedule), concurrency_limit=limit,
                    parameters={"config_path": config_path, "source_names": [source.name]},
                    description=f"{source.type} source {source.name}",
                )
                for source in config.sources if source.enabled
            ]
        else:
            deployments.append(stage.to_deployment(
                name=f"{PREFIX}{declared.name}", **_when(getattr(config.schedules, declared.name)),
                parameters={"config_path": config_path}, concurrency_limit=limit,
            ))
    return deployments


def flow_of(deployment: Deployment):
    """The flow an entrypoint names ("flows/score_flow.py:score_flow" → flows.score_flow.score_flow)."""
    path, name = deployment.entrypoint.split(":")
    return getattr(importlib.import_module(path.removesuffix(".py").replace("/", ".")), name)


def _when(schedule: str) -> dict:
    return {"cron": schedule} if is_cron(schedule) else {"interval": schedule_interval(schedule)}
