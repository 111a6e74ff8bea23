"""careloop running on its own, as an operator runs it: the README's Prefect commands (a real `prefect server`,
a process work pool, `prefect deploy --all`, a worker), schedules that fire, every deployment Completed, then the
same through `careloop schedule`. Short schedules come from an override file, as an operator trying it would."""
from __future__ import annotations

import json

import pytest
import yaml
from sqlalchemy import create_engine, func, select

from careloop.config import StageSchedules
from store.models import Draft, SentimentScore
from tests.conftest import REPO
from tests.operations.prefect_ops import OperatorPrefect, readme_block

# Each test waits for every scheduled deployment to complete a run under a real server and worker: 2.5 min on a
# quiet 2-core machine, over 9 min under load (2026-11-28), past the suite's 600 s per-test limit.
pytestmark = [pytest.mark.alone, pytest.mark.timeout(1200)]

EVERY = 10  # seconds between scheduled runs in this test
FAILED = {"FAILED", "CRASHED"}


@pytest.fixture(scope="module")
def operator(tmp_path_factory):
    prefect = OperatorPrefect(tmp_path_factory.mktemp("prefect-home"))
    yield prefect
    prefect.close()


def stored(db_path) -> tuple[int, int]:
    engine = create_engine(f"sqlite:///{db_path}")
    try:
        with engine.connect() as connection:
            return (connection.scalar(select(func.count()).select_from(SentimentScore)),
                    connection.scalar(select(func.count()).select_from(Draft)))
    except Exception:  # not migrated yet
        return 0, 0
    finally:
        engine.dispose()


def stats(operator: OperatorPrefect) -> dict:
    """What a run could change (not `sources`: their last run times move on every run)."""
    every = json.loads(operator.sh("careloop stats --json -c examples/careloop.yaml"))
    return {key: every[key] for key in ("mentions", "duplicates_linked", "by_source_type", "by_sentiment",
                                        "drafts_by_status", "notices_by_status")}


def run_every_deployment_once(operator: OperatorPrefect, names: dict[str, dict], db_path, seconds: float) -> None:
    """Wait until every deployment in `names` has a Completed run the scheduler created and the database holds
    scores and drafts; pause each once it is done, so the two cores serve the rest. No run may fail."""
    done: set[str] = set()

    def finished() -> bool:
        scores, drafts = stored(db_path)
        for name, deployment in names.items():
            runs = operator.runs(deployment["id"])
            failed = [run for run in runs if run["state_type"] in FAILED]
            assert not failed, f"{name}: {failed[0]['state_name']}: {failed[0]['state']['message']}"
            completed = any(run["auto_scheduled"] and run["state_type"] == "COMPLETED" for run in runs)
            # score and draft must also have run after there was something to score and draft
            needs = {"score": scores, "draft": drafts}.get(name.split("/")[1].removeprefix("schedule-"), 1)
            if name not in done and completed and needs:
                done.add(name)
                operator.pause(deployment["id"])
        return done == set(names) and scores > 0 and drafts > 0

    operator.wait_for(finished, seconds, lambda: f"a scheduled run of each of {sorted(set(names) - done)} "
                                                  f"(scores, drafts stored: {stored(db_path)})")


def test_readme_deployments_run_on_schedule_under_a_worker(operator, tmp_path):
    db_path = tmp_path / "careloop.db"
    operator.env["CARELOOP_DATABASE_URL"] = f"sqlite:///{db_path}"
    *setup, worker = readme_block("## Running on a schedule with Prefect")
    assert worker.endswith("prefect worker start --pool careloop") and any("deploy --all" in line for line in setup)
    declared = yaml.safe_load((REPO / "prefect.yaml").read_text())
    for deployment in declared["deployments"]:
        if deployment.get("schedules"):
            deployment["schedules"] = [{"interval": EVERY}]
            deployment["concurrency_limit"] = {"limit": 1, "collision_strategy": "CANCEL_NEW"}
    short = tmp_path / "prefect.yaml"
    short.write_text(yaml.safe_dump(declared))
    operator.sh("\n".join(f"{line} --prefect-file {short}" if line.endswith("deploy --all") else line for line in setup))
    operator.wait_until_healthy()
    operator.sh("prefect work-pool set-concurrency-limit careloop 3")  # two cores: three flow processes at a time
    operator.start(["bash", "-ec", worker], tmp_path / "worker.log")

    deployments = operator.deployments()
    assert {name.split("/")[1] for name in deployments} == {d["name"] for d in declared["deployments"]}
    scheduled = {name: d for name, d in deployments.items() if d["schedules"]}
    assert set(scheduled) == set(deployments) - {"careloop-loop/loop-once"}
    run_every_deployment_once(operator, scheduled, db_path, seconds=300)

    # the whole loop by hand, after the schedules did the work: it completes and adds nothing
    before = stats(operator)
    assert before["by_sentiment"]["unscored"] == 0
    assert set(before["by_source_type"]) == {"feed", "reddit", "appstore", "googleplay", "heureka"}
    assert sum(before["drafts_by_status"].values()) == before["mentions"] + before["duplicates_linked"]
    operator.sh("prefect deployment run careloop-loop/loop-once")
    loop_once = deployments["careloop-loop/loop-once"]["id"]
    operator.wait_for(lambda: any(run["state_type"] == "COMPLETED" for run in operator.runs(loop_once)), 240,
                      "loop-once to complete")
    assert not [run for run in operator.runs(loop_once) if run["state_type"] in FAILED]
    assert stats(operator) == before  # nothing new stored, scored, drafted or sent

    # what an operator sees in the UI: careloop's own warning in the flow-run log, an artifact per flow run
    warnings = operator.call("POST", "/logs/filter", {"limit": 200, "logs": {"level": {"ge_": 30}}})
    assert any(log["name"] == "careloop.ingest" and "malformed feed" in log["message"] for log in warnings)
    artifacts = {artifact["key"] for artifact in operator.call("POST", "/artifacts/filter", {})}
    assert {"careloop-ingest-feed", "careloop-score", "careloop-draft", "careloop-publish"} <= artifacts


def test_careloop_schedule_serves_each_source_on_its_own_schedule(operator, tmp_path):
    db_path = tmp_path / "careloop.db"
    config = yaml.safe_load((REPO / "examples" / "careloop.yaml").read_text())
    config["database"] = f"sqlite:///{db_path}"
    config["sentiment"] = {"model": "vader"}  # what is tested here is scheduling; the README test loads the default
    # one source of each kind of reading (feed file, Reddit through PRAW, review export) keeps two cores free
    config["sources"] = [source for source in config["sources"]
                         if source["name"] in ("google-alerts-slack", "reddit-demo", "nokia-eshop-heureka-cz")]
    for source in config["sources"]:
        source["schedule"] = f"{EVERY}s"
        if "path" in source:
            source["path"] = str(REPO / "examples" / source["path"])
    config["knowledge"]["path"] = str(REPO / "examples" / config["knowledge"]["path"])
    config["schedules"] = {stage: f"{EVERY}s" for stage in StageSchedules.model_fields}
    config_path = tmp_path / "careloop.yaml"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True))
    operator.start(["careloop", "schedule", "--config", str(config_path)], tmp_path / "schedule.log",
                   env={"CARELOOP_DATABASE_URL": ""})
    expected = len(config["sources"]) + len(StageSchedules.model_fields)
    operator.wait_for(lambda: len(operator.deployments("schedule-")) == expected, 120,
                      "careloop schedule to register its deployments")
    served = operator.deployments("schedule-")
    # each source on its own schedule and the stages that carry a mention to a reply; the outreach and report
    # stages ran under the worker above, through the same flows: here they only have to be served on schedule
    loop = {name: d for name, d in served.items() if name.split("/schedule-")[1].startswith(("ingest-", "score", "draft", "publish"))}
    assert len(loop) == len(config["sources"]) + 3
    for name, deployment in served.items():
        assert deployment["schedules"][0]["schedule"]["interval"] == EVERY, name
        if name not in loop:
            operator.pause(deployment["id"])
    run_every_deployment_once(operator, loop, db_path, seconds=300)
    # the work-pool deployments of the first test are still there, untouched
    assert "careloop-score/score" in operator.deployments()
