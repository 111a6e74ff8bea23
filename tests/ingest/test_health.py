"""Stale sources and the run log's size: what an operator needs to notice that a source went quiet."""
from datetime import timedelta

from sqlalchemy import func, select

from ingest.health import prune_runs, stale_sources
from store.db import session_scope
from store.models import Run, Source, utcnow


def test_a_source_silent_past_three_schedules_is_stale(engine, make_config):
    config = make_config({
        "brands": [{"name": "Nokia", "keywords": ["Nokia"]}],
        "sources": [
            {"name": "hourly", "type": "feed", "url": "https://example.com/a.xml", "schedule": "0 * * * *"},
            {"name": "quiet-ok", "type": "feed", "url": "https://example.com/b.xml", "schedule": "*/15 * * * *",
             "stale_after": "1d"},
            {"name": "never-worked", "type": "feed", "url": "https://example.com/c.xml", "schedule": "10m"},
            {"name": "never-ran", "type": "feed", "url": "https://example.com/d.xml"},
        ],
    })
    now = utcnow()
    with session_scope(engine) as session:
        session.add_all([
            Source(name="hourly", type="feed", cursor={}, last_success_at=now - timedelta(hours=3, minutes=1),
                   last_error="source 'hourly': HTTP 503"),
            Source(name="quiet-ok", type="feed", cursor={}, last_success_at=now - timedelta(hours=20)),
            Source(name="never-worked", type="feed", cursor={}),
            Run(source_name="never-worked", status="failed", started_at=now - timedelta(minutes=31), finished_at=now),
        ])
    with session_scope(engine) as session:
        stale = {entry["name"]: entry for entry in stale_sources(session, config, now)}
    assert set(stale) == {"hourly", "never-worked"}
    assert stale["hourly"]["stale_after"] == "3h" and stale["hourly"]["silent_for"] == "181m"
    assert stale["hourly"]["last_error"] == "source 'hourly': HTTP 503"
    assert stale["never-worked"]["last_success_at"] is None and stale["never-worked"]["stale_after"] == "30m"


def test_old_runs_are_pruned_and_recent_ones_kept(engine):
    now = utcnow()
    with session_scope(engine) as session:
        for days in (40, 31, 29, 1):
            session.add(Run(source_name="feed", status="ok", started_at=now - timedelta(days=days),
                            finished_at=now - timedelta(days=days)))
        session.add(Run(source_name="feed", status="running", started_at=now - timedelta(days=45)))  # never finished
    with session_scope(engine) as session:
        assert prune_runs(session, keep_days=30, now=now) == 2
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 3
