"""Two `careloop run`s started together on one fresh database (two workers, or a worker and an operator) both
finish cleanly and leave exactly what one run leaves: nothing duplicated, nothing lost, no crash."""
from __future__ import annotations

import json
import os
import subprocess

import pytest
import yaml

from tests.conftest import REPO
from tests.test_cli import CARELOOP


# the cross-source duplicate (Google Alerts and HN carry one story), Reddit through PRAW, a review export
SOURCES = ("google-alerts-slack", "hn-search-slack", "reddit-demo", "nokia-eshop-heureka-cz")


@pytest.fixture(scope="module")
def config_path(tmp_path_factory):
    config = yaml.safe_load((REPO / "examples" / "careloop.yaml").read_text())
    config["sources"] = [source for source in config["sources"] if source["name"] in SOURCES]
    # the lexicon model: this test is about sharing work, and three processes loading e5 cost a minute of CPU
    config["sentiment"] = {"model": "vader"}
    for source in config["sources"]:
        source["path"] = str(REPO / "examples" / source["path"])
    config["knowledge"]["path"] = str(REPO / "examples" / config["knowledge"]["path"])
    path = tmp_path_factory.mktemp("config") / "careloop.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    return path


def run_together(config_path, url: str, count: int) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "CARELOOP_DATABASE_URL": url}
    processes = [subprocess.Popen([CARELOOP, "run", "--config", str(config_path)], cwd=REPO, env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(count)]
    return [subprocess.CompletedProcess(p.args, p.wait(600), *p.communicate()) for p in processes]


def what_is_stored(config_path, url: str) -> dict:
    result = subprocess.run([CARELOOP, "stats", "--json", "--config", str(config_path)], cwd=REPO, capture_output=True,
                            text=True, env={**os.environ, "CARELOOP_DATABASE_URL": url}, check=True)
    stats = json.loads(result.stdout)
    for source in stats["sources"]:
        source.pop("last_run_at")  # when, not what
    return stats


@pytest.fixture(scope="module")
def one_run(config_path, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('single') / 'careloop.db'}"
    (result,) = run_together(config_path, url, 1)
    assert result.returncode == 0, result.stderr
    return what_is_stored(config_path, url)


def test_two_runs_at_once_leave_what_one_run_leaves(config_path, db_url, one_run):
    results = run_together(config_path, db_url, 2)
    for result in results:
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr
    stored = what_is_stored(config_path, db_url)
    assert stored == one_run
    assert stored["by_sentiment"]["unscored"] == 0 and stored["duplicates_linked"] == 1
