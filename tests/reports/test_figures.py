"""Every figure of a digest against a fixture computed by hand: a week of Nokia in Europe/Prague across the
switch to summer time (2024-03-31), mentions minutes either side of local midnight, a duplicate, a day-less gap,
the previous week, the four weeks before, and Slack for share of voice. On SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from reports.figures import build_figures
from reports.periods import Period, ending_on
from reports.rollup import refresh_rollup
from store.db import session_scope
from store.models import SentimentCorrection

from .conftest import put

WEEK = Period(date(2024, 3, 25), date(2024, 4, 1), "Europe/Prague")  # Monday to Sunday, local days


def seed(session):
    # This week (Prague): 7 Nokia mentions.
    first = put(session, "n1", "2024-03-24 23:30", source_type="reddit", sentiment="negative", score=-0.9,  # Mon 00:30 CET
                extra={"score": 15, "num_comments": 7}, replied_after=timedelta(hours=2))
    put(session, "n2", "2024-03-25 22:59", source_type="reddit", language="cs", sentiment="negative", score=-0.5,  # Mon 23:59
        extra={"score": 40})
    put(session, "n3", "2024-03-25 23:00", language="cs", sentiment="positive", replied_after=timedelta(hours=5))  # Tue 00:00
    put(session, "n4", "2024-03-27 12:00", source_type="appstore", language="cs", sentiment="neutral", rating=3.0)
    put(session, "n5", "2024-03-27 13:00", source_type="appstore", language="sk", sentiment="negative", score=-0.7,
        replied_after=timedelta(minutes=30))
    put(session, "n6", "2024-03-30 22:30", language="ru", sentiment="positive")  # Sat 23:30 CET
    put(session, "n7", "2024-03-31 21:30", sentiment=None)  # Sun 23:30 CEST (summer time since 02:00)
    put(session, "n8", "2024-03-31 22:30", sentiment="negative")  # Mon 1 April 00:30 CEST: next week
    put(session, "n9", "2024-03-28 10:00", sentiment="negative", duplicate_of_id=first.id)  # counted once, as n1
    # The week before: 4.
    put(session, "p1", "2024-03-18 08:00", source_type="reddit", sentiment="negative", replied_after=timedelta(hours=4))
    put(session, "p2", "2024-03-20 08:00", language="cs", sentiment="positive")
    put(session, "p3", "2024-03-24 22:59", sentiment="positive")  # Sun 23:59 CET
    put(session, "p4", "2024-03-17 23:30", source_type="reddit", language="cs", sentiment="neutral")  # Mon 18 00:30
    # The 28 days before the week (26 Feb – 24 Mar) beyond the previous week.
    put(session, "u1", "2024-03-01 10:00", sentiment="negative")
    put(session, "u2", "2024-03-05 10:00", sentiment="neutral")
    put(session, "u3", "2024-02-25 22:30", sentiment="negative")  # 25 Feb 23:30 CET: outside
    put(session, "u4", "2024-02-25 23:30", sentiment="positive")  # 26 Feb 00:30 CET: inside
    # Slack: 3 this week, 1 the week before.
    put(session, "s1", "2024-03-26 10:00", brand="Slack", sentiment="negative")
    put(session, "s2", "2024-03-29 10:00", brand="Slack", sentiment="positive")
    put(session, "s3", "2024-03-31 21:00", brand="Slack", source_type="reddit", sentiment="neutral")
    put(session, "s4", "2024-03-19 10:00", brand="Slack", sentiment="neutral")


@pytest.fixture
def figures_for(engine, reports_config):
    config = reports_config()
    with session_scope(engine) as session:
        seed(session)

    def compute(brands=("Nokia",), period=WEEK, timezone="Europe/Prague"):
        with session_scope(engine) as session:
            refresh_rollup(session, timezone)
            return build_figures(session, config, list(brands), period)

    return compute


def test_volume_sentiment_and_trend_by_local_day(figures_for):
    f = figures_for()
    assert f["volume"] == {"current": 7, "previous": 4, "change": 3, "change_pct": pytest.approx(75.0)}
    assert {k: f["sentiment"][k] for k in ("negative", "neutral", "positive", "unscored", "scored")} == \
        {"negative": 3, "neutral": 1, "positive": 2, "unscored": 1, "scored": 6}
    assert f["sentiment"]["shares"] == pytest.approx({"negative": 50.0, "neutral": 100 / 6, "positive": 100 / 3})
    assert f["sentiment"]["net"] == pytest.approx(-100 / 6)
    trend = {day["day"]: day for day in f["trend"]}
    assert list(trend) == [f"2024-03-{d}" for d in range(25, 32)]  # every day, the empty ones too
    assert [trend[d]["total"] for d in trend] == [2, 1, 2, 0, 0, 1, 1]
    assert [trend[d]["net"] for d in trend] == [-100.0, 100.0, -50.0, None, None, 100.0, None]
    assert trend["2024-03-31"]["unscored"] == 1 and trend["2024-03-28"]["negative"] == 0  # the duplicate is not counted


def test_breakdowns_with_change_and_share(figures_for):
    f = figures_for()
    sources = {row["name"]: row for row in f["by_source_type"]}
    assert [row["name"] for row in f["by_source_type"]] == ["feed", "reddit", "appstore"]  # most now, then most before
    assert sources["feed"] == {"name": "feed", "current": 3, "previous": 2, "change": 1,
                               "change_pct": pytest.approx(50.0), "share": pytest.approx(300 / 7)}
    assert sources["reddit"]["change"] == 0 and sources["reddit"]["change_pct"] == 0
    assert sources["appstore"]["previous"] == 0 and sources["appstore"]["change_pct"] is None
    languages = {row["name"]: (row["current"], row["previous"]) for row in f["by_language"]}
    assert languages == {"cs": (3, 2), "en": (2, 2), "sk": (1, 0), "ru": (1, 0)}


def test_negative_share_against_the_28_days_before(figures_for):
    share = figures_for()["negative_share"]
    # 2 negative of 7 scored in 26 Feb – 24 Mar (p1, u1 / p1–p4, u1, u2, u4); u3 is 25 Feb in Prague.
    assert share["current"] == pytest.approx(50.0)
    assert share["usual"] == pytest.approx(200 / 7)
    assert share["points"] == pytest.approx(50 - 200 / 7)


def test_share_of_voice_across_configured_brands(figures_for):
    voice = {row["brand"]: row for row in figures_for()["share_of_voice"]}
    assert voice["Nokia"]["mentions"] == 7 and voice["Slack"]["mentions"] == 3
    assert voice["Nokia"]["share"] == pytest.approx(70.0) and voice["Slack"]["share"] == pytest.approx(30.0)
    assert voice["Nokia"]["change_points"] == pytest.approx(-10.0) and voice["Slack"]["change_points"] == pytest.approx(10.0)
    assert figures_for(brands=())["volume"]["current"] == 10  # all brands together


def test_top_mentions_link_into_the_inbox(figures_for):
    top = figures_for()["top_mentions"]
    assert [m["snippet"] for m in top["most_negative"]] == ["mention n1", "mention n5", "mention n2"]
    assert [(m["snippet"], m["reach"]) for m in top["most_reach"]] == [("mention n2", 40), ("mention n1", 15)]
    assert [(m["snippet"], m["replies"]) for m in top["most_discussed"]] == [("mention n1", 7)]
    assert top["most_negative"][0]["link"] == f"https://care.example.com/mentions/{top['most_negative'][0]['id']}"


def test_first_response_time_median_and_absent_kpis(figures_for):
    kpis = figures_for()["kpis"]
    # Replies 2 h, 5 h and 30 min after this week's mentions; 4 h the week before.
    assert kpis["first_response_time_median_s"] == {"current": pytest.approx(7200, abs=1),
                                                    "previous": pytest.approx(14400, abs=1),
                                                    "change": pytest.approx(-7200, abs=1)}
    assert all(kpis[key] is None for key in ("csat", "nps", "ces"))  # no survey answers: absent, not 0
    # every reply within the normal 24 h target (priority 0), this week and the one before
    assert kpis["sla_pct"] == {"current": 100.0, "previous": 100.0, "change": 0.0}


def test_time_zone_moves_mentions_across_midnight(figures_for):
    utc = figures_for(period=Period(date(2024, 3, 25), date(2024, 4, 1), "UTC"), timezone="UTC")
    # In UTC n1 (23:30 on the 24th) is last week and n8 (22:30 on the 31st) this week; n3 is on the 25th.
    assert [day["total"] for day in utc["trend"]] == [2, 0, 2, 0, 0, 1, 2]
    assert utc["volume"]["current"] == 7


def test_rollup_follows_late_arrivals_and_corrections(engine, figures_for):
    figures_for()
    with session_scope(engine) as session:
        late = put(session, "late", "2024-03-28 09:00", sentiment="positive")  # a backfilled review
        neutral = session.query(type(late)).filter_by(external_id="n4").one()
        neutral.sentiment_label = "negative"
        session.add(SentimentCorrection(mention_id=neutral.id, label="negative", previous_label="neutral",
                                        corrected_by="alice"))
    f = figures_for()
    assert f["trend"][3]["positive"] == 1 and f["volume"]["current"] == 8
    assert f["sentiment"]["negative"] == 4 and f["sentiment"]["neutral"] == 0


def test_period_ending_on_a_day():
    assert ending_on(date(2024, 3, 31), 7, "Europe/Prague") == WEEK
    assert WEEK.previous() == Period(date(2024, 3, 18), date(2024, 3, 25), "Europe/Prague")
    assert WEEK.utc_start.isoformat() == "2024-03-24T23:00:00+00:00"
    assert WEEK.utc_end.isoformat() == "2024-03-31T22:00:00+00:00"  # summer time


def test_known_issues_come_from_the_registry_open_or_resolved_in_the_period(engine, figures_for):
    """An issue a manager opened in the inbox shows; one fixed before the week began does not; one fixed during
    the week does, after the open ones; another brand's does not."""
    from reports.periods import local_midnight
    from store.models import KnownIssueRecord

    monday = local_midnight(WEEK.start, WEEK.tz)
    with session_scope(engine) as session:
        for key, brand, status, resolved in (
                ("battery", "Nokia", "identified", None),
                ("login", None, "resolved", monday + timedelta(days=2)),
                ("old-sync", "Nokia", "resolved", monday - timedelta(hours=1)),
                ("slack-outage", "Slack", "investigating", None)):
            session.add(KnownIssueRecord(key=key, title=key.title(), brand=brand, status=status, resolved_at=resolved,
                                         created_by="manager", link=f"https://status.example.com/{key}"))
    issues = figures_for()["known_issues"]
    assert [(issue["title"], issue["status"]) for issue in issues] == [("Battery", "identified"), ("Login", "resolved")]
    assert issues[0]["link"] == "https://status.example.com/battery"
