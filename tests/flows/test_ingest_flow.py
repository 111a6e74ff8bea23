"""The ingest flow run through Prefect: tasks per source, a failing source retried and recorded."""
import re
import socket
import time

import yaml
from sqlalchemy import func, select

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort

from flows.ingest_flow import ingest_flow
from store.db import connect, session_scope
from store.models import Mention, Run
from tests.conftest import REPO

FEEDS = REPO / "examples" / "data" / "feeds"


def write_config(tmp_path, db_url, sources):
    path = tmp_path / "careloop.yaml"
    path.write_text(yaml.safe_dump({
        "database": db_url,
        "brands": [{"name": "Nokia", "keywords": ["Nokia"], "aliases": ["Nokie"], "exclude": ["Nokian"]},
                   {"name": "Slack", "keywords": ["Slack"]}],
        "sources": sources,
    }))
    return str(path)


def test_ingest_flow_runs_every_source_and_survives_a_failing_one(prefect_harness, db_url, tmp_path):
    config_path = write_config(tmp_path, db_url, [
        {"name": "toot", "type": "feed", "path": str(FEEDS / "mastodon_tag_nokia.rss")},
        {"name": "broken", "type": "feed", "path": str(tmp_path / "missing.xml"), "fetch_retry_delays": [0, 0],
         "stale_after": "1s"},
        {"name": "hn", "type": "feed", "path": str(FEEDS / "hnrss_slack.xml")},
    ])
    state = ingest_flow(config_path=config_path, return_state=True)
    assert state.is_failed() and "1 of 3 sources failed: broken" in state.message
    engine = connect(db_url)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 4 + 3
        runs = session.execute(select(Run.source_name, Run.status)).all()
    # two retries after the first attempt, each in the run log
    assert sorted(runs).count(("broken", "failed")) == 3
    assert ("toot", "ok") in runs and ("hn", "ok") in runs
    # the run's artifact in the Prefect UI: per source what happened, and the source that went stale
    with get_client(sync_client=True) as client:
        artifact = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["careloop-ingest-sources"])),
                                         sort=ArtifactSort.CREATED_DESC, limit=1)[0]
    assert re.search(r"^\| toot \| ok \| \d+ \| 4 \|", artifact.data, re.M)
    stale = artifact.data.split("## Stale sources")[1]
    assert "| broken |" in stale and "| toot |" not in stale

    again = ingest_flow(config_path=config_path, source_type="feed", source_names=["toot", "hn"], return_state=True)
    assert again.is_completed()
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 7


def test_a_source_that_never_answers_is_stopped_at_its_deadline(prefect_harness, tmp_path):
    """The read blocks on a socket (per-request timeout 120 s): only a real deadline stops it, and the other
    sources are stored meanwhile."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts connections in the kernel, never answers
    db_url = f"sqlite:///{tmp_path / 'careloop.db'}"
    config_path = write_config(tmp_path, db_url, [
        {"name": "stuck", "type": "feed", "url": f"http://127.0.0.1:{silent.getsockname()[1]}/feed.xml",
         "timeout_seconds": 120, "deadline_seconds": 2, "fetch_retry_delays": []},
        {"name": "toot", "type": "feed", "path": str(FEEDS / "mastodon_tag_nokia.rss")},
    ])
    started = time.monotonic()
    state = ingest_flow(config_path=config_path, return_state=True)
    elapsed = time.monotonic() - started
    silent.close()
    assert state.is_failed() and "1 of 2 sources failed: stuck" in state.message
    assert elapsed < 30, f"the stuck source held the flow for {elapsed:.0f} s"
    with session_scope(connect(db_url)) as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 4


def test_only_a_failure_that_may_pass_is_retried(prefect_harness, tmp_path, http_server):
    """A 503 is tried again after each delay; refused credentials and a feed that is not there (404) fail the
    same way every time, so they run once (careloop.errors: retryable)."""
    busy = http_server.route("/busy.xml", "down for maintenance", status=503, content_type="text/plain")
    denied = http_server.route("/denied.xml", "no", status=401, content_type="text/plain")
    gone = http_server.url + "/gone.xml"  # not routed: 404
    db_url = f"sqlite:///{tmp_path / 'careloop.db'}"
    config_path = write_config(tmp_path, db_url, [
        {"name": name, "type": "feed", "url": url, "fetch_retry_delays": [0, 0]}
        for name, url in (("busy", busy), ("denied", denied), ("gone", gone))
    ])
    state = ingest_flow(config_path=config_path, return_state=True)
    assert state.is_failed()
    fetched = [request["path"] for request in http_server.requests]
    assert {path: fetched.count(path) for path in set(fetched)} == {"/busy.xml": 3, "/denied.xml": 1, "/gone.xml": 1}
    with session_scope(connect(db_url)) as session:
        runs = session.execute(select(Run.source_name, Run.status)).all()
    assert sorted(runs) == [("busy", "failed")] * 3 + [("denied", "failed"), ("gone", "failed")]
