"""The ingest flow run through Prefect: tasks per source, a failing source retried and recorded."""
import yaml
from sqlalchemy import func, select

from flows.ingest import ingest_flow, ingest_source_task
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


def test_ingest_flow_runs_every_source_and_survives_a_failing_one(prefect_harness, db_url, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_source_task, "retry_delay_seconds", [0, 0])
    config_path = write_config(tmp_path, db_url, [
        {"name": "toot", "type": "feed", "path": str(FEEDS / "mastodon_tag_nokia.rss")},
        {"name": "broken", "type": "feed", "path": str(tmp_path / "missing.xml")},
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

    again = ingest_flow(config_path=config_path, source_type="feed", source_names=["toot", "hn"], return_state=True)
    assert again.is_completed()
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 7
