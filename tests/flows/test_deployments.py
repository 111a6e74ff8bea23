"""prefect.yaml is accepted by `prefect deploy --all` and declares scheduled deployments."""
import os
import subprocess
import sys
from pathlib import Path

import yaml
from prefect.settings import PREFECT_API_URL

from tests.conftest import REPO

PREFECT = str(Path(sys.executable).parent / "prefect")


def test_prefect_deploy_all_registers_every_deployment(prefect_harness):
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "CARELOOP_HOME": str(REPO)}
    subprocess.run([PREFECT, "work-pool", "create", "careloop", "--type", "process", "--overwrite"], env=env, cwd=REPO, check=True, capture_output=True)
    result = subprocess.run([PREFECT, "--no-prompt", "deploy", "--all"], env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    declared = yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]
    listing = subprocess.run([PREFECT, "deployment", "ls"], env={**env, "COLUMNS": "300"}, cwd=REPO, capture_output=True, text=True, check=True).stdout
    for deployment in declared:
        assert deployment["name"] in listing
        assert deployment.get("schedules") or deployment["name"] == "loop-once"
