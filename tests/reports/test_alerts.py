"""Alerts against the same hour of the week in the four weeks before: a spike alerts once (the window is unique,
then the cooldown holds), a Monday morning that is always busy does not alarm, a source that stopped succeeding
alerts once per outage. The explanation says how many, what is usual, the top terms and where from."""
from __future__ import annotations

from datetime import timedelta

import pytest

from reports.alerts import check_alerts
from reports.terms import index_terms
from store.db import session_scope
from store.models import Alert, Run, Source

from .conftest import at, put

SETTINGS = {"min_count": 5, "volume_factor": 2, "negative_share_points": 25, "cooldown": "6h"}


def hour_of(session, prefix: str, start: str, counts: dict[str, int], *, source_type="reddit", text=(), language="en"):
    """counts: sentiment → how many mentions, spread over the hour that starts at `start` (UTC); texts taken in turn."""
    index = 0
    for sentiment, how_many in counts.items():
        for _ in range(how_many):
            put(session, f"{prefix}-{index}", (at(start) + timedelta(minutes=index % 60)).strftime("%Y-%m-%d %H:%M"),
                source_type=source_type, sentiment=sentiment, text=text[index % len(text)] if text else None,
                language=language)
            index += 1


@pytest.fixture
def config(reports_config):
    return reports_config(alerts=SETTINGS)


def test_a_spike_alerts_once_with_an_explanation(engine, config):
    with session_scope(engine) as session:
        for week, (negative, neutral) in enumerate([(3, 7), (5, 5), (6, 6), (4, 6)], start=1):
            day = at("2024-05-14 14:00") - timedelta(weeks=week)
            hour_of(session, f"w{week}", day.strftime("%Y-%m-%d %H:%M"), {"negative": negative, "neutral": neutral})
        hour_of(session, "now", "2024-05-14 14:00", {"negative": 42}, language="cs",
                text=["Přihlášení nefunguje.", "Po přihlášení aplikace spadne.", "Nejde přihlásit, aplikace hlásí chybu."])
        hour_of(session, "calm", "2024-05-14 14:00", {"neutral": 8})
        hour_of(session, "feed", "2024-05-14 14:00", {"neutral": 2}, source_type="feed")
        index_terms(session, ["Nokia"])
        first = check_alerts(session, config, now=at("2024-05-14 15:05"))
        alerts = {alert.kind: alert for alert in first}
        assert set(alerts) == {"volume", "negative_share"}  # on reddit; the brand as a whole is not repeated
        negative = alerts["negative_share"]
        assert (negative.brand, negative.source_type, negative.count) == ("Nokia", "reddit", 42)
        assert (negative.usual_low, negative.usual_high) == (3, 6)
        assert negative.explanation.startswith("42 negative mentions in the last 60 min (84% of 50), usual 3–6 (43%)")
        assert "top terms: ‘přihlášení’, ‘aplikace’, " in negative.explanation and negative.explanation.endswith("on reddit")
        assert negative.details["link"] == "https://care.example.com/?brand=Nokia&source_type=reddit&sentiment=negative"
        assert alerts["volume"].explanation.startswith("50 mentions in the last 60 min, usual 10–12")
        # The same moment again (a second worker), 15 minutes later and 5 hours later: nothing new.
        for later in (timedelta(0), timedelta(minutes=15), timedelta(hours=5)):
            assert check_alerts(session, config, now=at("2024-05-14 15:05") + later) == []
        assert session.query(Alert).count() == 2


def test_a_normal_monday_morning_does_not_alarm(engine, config):
    with session_scope(engine) as session:
        for week in range(1, 5):
            monday = (at("2024-05-13 08:00") - timedelta(weeks=week)).strftime("%Y-%m-%d %H:%M")
            hour_of(session, f"m{week}", monday, {"neutral": 16, "negative": 4})
            early = (at("2024-05-13 07:00") - timedelta(weeks=week)).strftime("%Y-%m-%d %H:%M")
            hour_of(session, f"e{week}", early, {"neutral": 1})
        hour_of(session, "early", "2024-05-13 07:00", {"neutral": 1})
        hour_of(session, "now", "2024-05-13 08:00", {"neutral": 19, "negative": 5})  # 24: 24× the hour before
        assert check_alerts(session, config, now=at("2024-05-13 09:07")) == []
        hour_of(session, "more", "2024-05-13 09:00", {"neutral": 30, "negative": 20})  # now this is not usual
        kinds = {alert.kind for alert in check_alerts(session, config, now=at("2024-05-13 10:00"))}
        assert kinds == {"volume", "negative_share"}


def test_a_source_that_stopped_succeeding_alerts_once(engine, make_config):
    config = make_config({
        "brands": [{"name": "Nokia", "keywords": ["Nokia"]}],
        "sources": [{"name": "reddit-nokia", "type": "reddit", "schedule": "*/15 * * * *"},  # stale after 45m
                    {"name": "news", "type": "feed", "url": "https://example.com/feed.xml", "schedule": "0 * * * *"}],
    })
    with session_scope(engine) as session:
        session.add_all([Source(name="reddit-nokia", type="reddit", cursor={}, last_success_at=at("2024-05-14 10:01")),
                         Source(name="news", type="feed", cursor={}, last_success_at=at("2024-05-14 10:02"))])
        session.add(Run(source_name="reddit-nokia", status="failed", started_at=at("2024-05-14 10:15")))
        session.flush()
        assert check_alerts(session, config, now=at("2024-05-14 10:40")) == []
        stale = check_alerts(session, config, now=at("2024-05-14 11:00"))
        assert [(alert.kind, alert.source_name) for alert in stale] == [("stale_source", "reddit-nokia")]
        assert stale[0].explanation == ("source reddit-nokia (reddit) has not succeeded since 2024-05-14 10:01 UTC "
                                        "(stale after 45m without success)")
        assert check_alerts(session, config, now=at("2024-05-14 13:00")) == []  # the same outage: once
