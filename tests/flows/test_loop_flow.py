"""The whole loop through Prefect on the demo configuration: mentions stored, scored and drafted."""
import json
import subprocess

from flows.loop_flow import loop_flow
from tests.test_cli import CARELOOP


def test_loop_flow_listens_scores_and_drafts(prefect_harness, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'loop.db'}"
    monkeypatch.setenv("CARELOOP_DATABASE_URL", url)
    result = loop_flow(config_path="examples/careloop.yaml")
    assert result["ingest"] == "COMPLETED" and result["scored"] > 50
    assert result["drafts"]["drafted"] > 10 and result["drafts"]["no_reply_needed"] > 10
    stats = json.loads(subprocess.run([CARELOOP, "stats", "--json", "-c", "examples/careloop.yaml"], capture_output=True,
                                      text=True, check=True).stdout)
    assert stats["by_sentiment"]["unscored"] == 0
    assert set(stats["by_source_type"]) == {"feed", "reddit", "appstore", "googleplay", "heureka"}
    assert sum(stats["drafts_by_status"].values()) == result["scored"]
    again = loop_flow(config_path="examples/careloop.yaml")
    assert again["scored"] == 0 and again["drafts"]["drafted"] == 0
