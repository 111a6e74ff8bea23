"""Each source's own `schedule` from careloop.yaml becomes a Prefect deployment for that source."""
from careloop.config import load_config
from flows.schedule import source_deployments
from tests.conftest import REPO


def test_every_enabled_source_gets_its_own_scheduled_deployment():
    config = load_config(REPO / "examples" / "careloop.yaml")
    deployments = {deployment.name: deployment for deployment in source_deployments(config)}
    for source in config.sources:
        deployment = deployments[f"ingest-{source.name}"]
        assert deployment.parameters == {"config_path": str(config.path), "source_names": [source.name]}
        assert deployment.schedules[0].schedule.cron == source.schedule
    assert {"score", "draft", "publish", "notices"} <= set(deployments)
    assert deployments["publish"].schedules[0].schedule.cron == "*/2 * * * *"
