"""Each source's own `schedule` from careloop.yaml becomes a Prefect deployment for that source."""
import yaml

from careloop.config import load_config
from flows.schedule import source_deployments
from tests.conftest import REPO


def test_every_enabled_source_gets_its_own_scheduled_deployment():
    config = load_config(REPO / "examples" / "careloop.yaml")
    deployments = {deployment.name: deployment for deployment in source_deployments(config)}
    for source in config.sources:
        deployment = deployments[f"schedule-ingest-{source.name}"]
        assert deployment.parameters == {"config_path": str(config.path), "source_names": [source.name]}
        assert deployment.schedules[0].schedule.cron == source.schedule
        assert deployment.concurrency_limit == 1
    assert {"schedule-score", "schedule-draft", "schedule-publish", "schedule-notices", "schedule-surveys",
            "schedule-digests", "schedule-emerging", "schedule-relevance"} <= set(deployments)
    assert deployments["schedule-surveys"].concurrency_limit == 1
    assert deployments["schedule-publish"].schedules[0].schedule.cron == "*/2 * * * *"
    assert deployments["schedule-publish"].concurrency_options.collision_strategy.value == "CANCEL_NEW"


def test_schedule_names_never_collide_with_prefect_yaml():
    """Both sets register on one server; the same (flow, name) would overwrite the other's deployment."""
    config = load_config(REPO / "examples" / "careloop.yaml")
    served = {(deployment.flow_name, deployment.name) for deployment in source_deployments(config)}
    entry_flows = {"ingest_flow": "careloop-ingest", "score_flow": "careloop-score", "draft_flow": "careloop-draft",
                   "publish_flow": "careloop-publish", "loop_flow": "careloop-loop", "notices_flow": "careloop-notices",
                   "digests_flow": "careloop-digests", "surveys_flow": "careloop-surveys", "emerging_flow": "careloop-emerging",
                   "relevance_flow": "careloop-relevance"}
    declared = {(entry_flows[d["entrypoint"].rsplit(":", 1)[1]], d["name"])
                for d in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]}
    assert served and declared and not served & declared
