"""An operator's Prefect, for tests: a real `prefect server` on a free loopback port with its own home, the
commands an operator types run as subprocesses, and the server's REST API read back to see what ran."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_UP, POSTGRES_URL, REPO

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def readme_block(heading: str) -> list[str]:
    """The lines of the first ```bash block under `heading` in README.md, as a newcomer copies them."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index(heading):]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


class OperatorPrefect:
    """Prefect's own database is a fresh PostgreSQL database when the server answers (with SQLite, Prefect's
    server answers 500 "database is locked" under a worker's load on two cores), else SQLite in `home`."""

    def __init__(self, home: Path, **extra_env: str):
        port = free_port()
        self.database = f"prefect_ops_{uuid.uuid4().hex[:10]}" if POSTGRES_UP else None
        if self.database:
            with create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT").connect() as admin:
                admin.execute(text(f'CREATE DATABASE "{self.database}"'))
            extra_env["PREFECT_API_DATABASE_CONNECTION_URL"] = make_url(POSTGRES_URL).set(
                drivername="postgresql+asyncpg", database=self.database).render_as_string(hide_password=False)
        self.api = f"http://127.0.0.1:{port}/api"
        self.env = {
            **os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "PREFECT_HOME": str(home),
            "PREFECT_SERVER_API_PORT": str(port), "PREFECT_API_URL": self.api,
            # no PREFECT_SERVER_ANALYTICS_ENABLED here: the README's `prefect config set` turns analytics off, without
            # which the background server died offline (its failed telemetry call)
            "PREFECT_UI_ENABLED": "false",
            # short loops so a test sees schedules fire within seconds, not minutes; a few runs ahead, not 100 per
            # deployment (the server's SQLite then keeps up on two cores)
            "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2", "PREFECT_WORKER_QUERY_SECONDS": "2",
            "PREFECT_RUNNER_POLL_FREQUENCY": "2", "PREFECT_WORKER_PREFETCH_SECONDS": "5",
            "PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS": "1", "PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS": "3",
            # services this test does not look at
            **{f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in (
                "LATE_RUNS", "FOREMAN", "PAUSE_EXPIRATIONS", "TRIGGERS", "EVENT_PERSISTER", "TASK_RUN_RECORDER",
                "CANCELLATION_CLEANUP", "REPOSSESSOR")},
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **extra_env,
        }
        self.env.pop("PREFECT_PROFILES_PATH", None)
        self.background: list[subprocess.Popen] = []
        self.http = httpx.Client(base_url=self.api, timeout=30)

    def sh(self, script: str, timeout: float = 180) -> str:
        result = subprocess.run(["bash", "-ec", script], cwd=REPO, env=self.env, capture_output=True, text=True,
                                timeout=timeout)
        assert result.returncode == 0, f"$ {script}\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def start(self, args: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
        process = subprocess.Popen(args, cwd=REPO, env={**self.env, **(env or {})}, stdout=log.open("w"),
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.background.append(process)
        return process

    def wait_until_healthy(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if self.http.get("/health").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"no Prefect server answered at {self.api} within {seconds} s")

    def call(self, method: str, path: str, body: dict | None) -> list | dict | None:
        """One API call; a 503 (the server's SQLite busy under the flows' load) is tried again."""
        for attempt in range(10):
            response = self.http.request(method, path, json=body) if body is not None else self.http.request(method, path)
            if response.status_code != 503:
                response.raise_for_status()
                return response.json() if response.content else None
            time.sleep(0.5 * (attempt + 1))
        response.raise_for_status()

    def deployments(self, prefix: str = "") -> dict[str, dict]:
        """'flow name/deployment name' → deployment, for names starting with `prefix`."""
        flows = {flow["id"]: flow["name"] for flow in self.call("POST", "/flows/filter", {})}
        return {f"{flows[d['flow_id']]}/{d['name']}": d for d in self.call("POST", "/deployments/filter", {})
                if d["name"].startswith(prefix)}

    def runs(self, deployment_id: str) -> list[dict]:
        return self.call("POST", "/flow_runs/filter", {"flow_runs": {"deployment_id": {"any_": [deployment_id]}}})

    def pause(self, deployment_id: str) -> None:
        """No more runs of this deployment: pause its schedule and drop the runs already waiting (pausing keeps
        runs that were due while the pool was busy, and the worker would still take them)."""
        self.call("PATCH", f"/deployments/{deployment_id}", {"paused": True})
        for run in self.runs(deployment_id):
            if run["state_type"] == "SCHEDULED":
                self.call("DELETE", f"/flow_runs/{run['id']}", None)

    def wait_for(self, condition, seconds: float, what, poll: float = 2.0) -> None:
        """Poll `condition` until it holds; `what` (a string, or a function giving one at the end) names it."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(poll)
        raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what() if callable(what) else what}")

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def close(self) -> None:
        for process in reversed(self.background):
            self.stop(process)
        subprocess.run([str(BIN / "prefect"), "server", "stop"], cwd=REPO, env=self.env, capture_output=True, timeout=60)
        self.http.close()
        if self.database:
            with create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT").connect() as admin:
                admin.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
