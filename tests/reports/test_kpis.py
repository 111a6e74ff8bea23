"""Every KPI against a fixture computed by hand (README "KPIs"), on SQLite and PostgreSQL; empty and single-answer
cases; a breakdown; `careloop kpi --json` prints the documented keys."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from careloop.cli import app
from reports.kpis import KPI_KEYS, kpis
from reports.periods import Period
from store.db import session_scope
from store.models import Contact, ContactHandle, Draft, OutboxMessage, SurveyAnswer
from tests.drafting.helpers import add_mention
from tests.notices.helpers import import_csv
from tests.surveys.helpers import SURVEYS, survey_config

PERIOD = Period(date(2026, 11, 1), date(2026, 11, 29), "UTC")
T = datetime(2026, 11, 10, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def config(make_config, smtp_sink):
    return survey_config(make_config, smtp_sink, surveys={**SURVEYS, "fcr_days": 7})


def _send(session, contact_id, survey, kind, *, at=T, status="sent", out_kind="survey", language="en", campaign=None):
    row = OutboxMessage(key=f"test:{session.query(OutboxMessage).count()}", kind=out_kind, channel="email", status=status,
                        contact_id=contact_id, consent_kind="survey", campaign=f"survey:{campaign or survey}",
                        sent_at=at if status == "sent" else None, created_at=at,
                        payload={"campaign": campaign or survey, "survey": survey, "kind": kind, "language": language})
    session.add(row)
    session.flush()
    return row


def _answer(session, send, score, *, at=T + timedelta(hours=1), detractor=False):
    session.add(SurveyAnswer(send_id=send.id, contact_id=send.contact_id, campaign=send.payload["campaign"],
                             survey=send.payload["survey"], kind=send.payload["kind"], language=send.payload["language"],
                             score=score, detractor=detractor, answered_at=at, updated_at=at))
    session.flush()


def _mention(session, author, at, source_type="reddit", sentiment="neutral"):
    mention = add_mention(session, f"post by {author}", source=source_type, source_type=source_type, author=author,
                          sentiment=sentiment)
    mention.published_at = at
    session.flush()
    return mention


def _reply(session, author, wait, priority, source_type="reddit", kind="reply", mention=None, at=T):
    mention = mention or _mention(session, author, at, source_type)
    session.add(Draft(mention_id=mention.id, kind=kind, campaign="" if kind == "reply" else "issue:x", status="sent",
                      text="Thanks", priority=priority, sent_at=mention.published_at + wait))
    session.flush()
    return mention


def _fixture(session):
    import_csv(session)
    contact = {c.email.split("@")[0]: c.id for c in session.scalars(select(Contact))}
    people = list(contact.values())
    # CSAT 5, 4, 2, 1 answered, one send whose clicks were all discarded (score None): 2 of 4 satisfied → 50 %
    for score in (5, 4, 2, 1, None):
        _answer(session, _send(session, people[0], "support-csat", "csat", language="cs"), score)
    # NPS 10, 9, 9, 7, 3 and one unanswered send: (3 promoters − 1 detractor) / 5 → 40
    nps_sends = [_send(session, people[1], "loyalty-nps", "nps") for _ in range(6)]
    for send, score in zip(nps_sends, (10, 9, 9, 7)):
        _answer(session, send, score)
    # CES 2, 3, 7 and one unanswered send: mean 4
    for score in (2, 3, 7):
        _answer(session, _send(session, people[2], "effort", "ces"), score)
    _send(session, people[2], "effort", "ces")
    # not counted anywhere: a review request, a queued survey, a survey sent before the period
    _send(session, people[3], "play-review", "review", out_kind="review_request")
    _send(session, people[3], "loyalty-nps", "nps", status="queued")
    _answer(session, _send(session, people[3], "loyalty-nps", "nps", at=T - timedelta(days=30)), 0, at=T - timedelta(days=30))
    # replies: waits 30 min (high priority, target 1 h: met), 2 h (normal, 24 h: met), 3 h (high: missed), 30 h (missed)
    alice = _reply(session, "alice", timedelta(minutes=30), 1500)
    bob = _reply(session, "bob", timedelta(hours=2), 0)
    _reply(session, "carol", timedelta(hours=3), 1200, source_type="feed")
    _reply(session, "dave", timedelta(hours=30), 0, source_type="feed")
    _reply(session, "bob", timedelta(hours=50), 0, kind="follow_up", mention=bob)  # a follow-up, 50 h after bob's mention
    # FCR: alice complains again 2 days after our reply; bob (linked to jana) answers NPS 3 a day after his reply;
    # dave complains again, but 10 days later (beyond fcr_days): carol and dave were resolved at first → 50 %
    _mention(session, "alice", alice.published_at + timedelta(days=2), sentiment="negative")
    _mention(session, "dave", T + timedelta(days=11), "feed", sentiment="negative")
    session.add(ContactHandle(contact_id=contact["jana"], platform="reddit", handle="bob"))
    bob_send = nps_sends[4]
    bob_send.contact_id = contact["jana"]
    _answer(session, bob_send, 3, at=T + timedelta(hours=2, days=1), detractor=True)


EXPECTED = {"csat": 50.0, "nps": 40.0, "ces": 4.0, "response_rate": 80.0,  # 12 of 15 survey e-mails answered
            "first_response_time_median_s": 9000.0,  # median of 1800, 7200, 10800, 108000 → (7200 + 10800) / 2
            "average_response_time_s": 61560.0,  # (1800 + 7200 + 10800 + 108000 + 180000) / 5
            "fcr": 50.0, "sla": 50.0}


def test_every_kpi_against_a_hand_computed_fixture(engine, config):
    with session_scope(engine) as session:
        _fixture(session)
        assert kpis(session, config, [], PERIOD) == EXPECTED
        by_language = kpis(session, config, [], PERIOD, by="language")
        by_plan = kpis(session, config, [], PERIOD, by="plan")  # a contact attribute
    # CSAT went to Jana (pro), NPS to Ivan (free) but one send to Jana, who is also Reddit's bob; CES to Peter (free)
    assert by_plan["by"]["pro"]["csat"] == 50.0 and by_plan["by"]["pro"]["nps"] == -100.0
    assert by_plan["by"]["free"]["nps"] == 75.0 and by_plan["by"]["free"]["ces"] == 4.0
    assert by_plan["by"]["pro"]["first_response_time_median_s"] == 7200.0  # bob's reply, through his handle
    assert by_plan["by"]["free"]["first_response_time_median_s"] is None
    assert by_language["all"] == EXPECTED
    assert by_language["by"]["cs"]["csat"] == 50.0 and by_language["by"]["cs"]["nps"] is None
    assert by_language["by"]["en"]["nps"] == 40.0 and by_language["by"]["en"]["csat"] is None


def test_no_data_is_null_never_zero(engine, config):
    with session_scope(engine) as session:
        assert kpis(session, config, [], PERIOD) == dict.fromkeys(KPI_KEYS)


def test_a_single_answer(engine, config):
    with session_scope(engine) as session:
        import_csv(session)
        contact_id = session.scalar(select(Contact.id).limit(1))
        _answer(session, _send(session, contact_id, "loyalty-nps", "nps"), 10)
        assert kpis(session, config, [], PERIOD) == {**dict.fromkeys(KPI_KEYS), "nps": 100.0, "response_rate": 100.0}


def test_kpi_json_prints_the_keys(sqlite_engine, config, tmp_path):
    with session_scope(sqlite_engine) as session:
        _fixture(session)
    data = {**config.model_dump(mode="json", by_alias=True, exclude_none=True),
            "database": sqlite_engine.url.render_as_string(False), "reports": {"timezone": "UTC"}}
    path = tmp_path / "careloop.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["kpi", "--json", "--since", "28d", "--until", "2026-11-28", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == EXPECTED
    by = CliRunner().invoke(app, ["kpi", "--json", "--since", "28d", "--until", "2026-11-28", "--by", "campaign", "--config", str(path)])
    assert set(json.loads(by.output)["by"]) == {"effort", "loyalty-nps", "support-csat"}
    bad = CliRunner().invoke(app, ["kpi", "--since", "forever", "--config", str(path)])
    assert bad.exit_code == 2 and "--since 'forever'" in bad.output


def test_the_kpis_tab_shows_the_same_figures_per_week_and_breakdown(sqlite_engine, config):
    import httpx

    from careloop.webapp import create_app
    from inbox.users import add_user
    from tests.inbox.conftest import PASSWORD, LiveServer, login

    with session_scope(sqlite_engine) as session:
        _fixture(session)
        add_user(session, "mark", "marketing", PASSWORD)
    server = LiveServer(create_app(sqlite_engine, config, session_secret="kpis-tab-" + "k" * 32))
    try:
        with httpx.Client(base_url=server.url, follow_redirects=True) as client:
            login(client, "mark")
            page = client.get("/reports/kpis", params={"from": "2026-11-01", "to": "2026-11-28", "by": "campaign"}).text
            bad = client.get("/reports/kpis", params={"by": "x y"})
    finally:
        server.close()
    assert bad.status_code == 400
    for key, shown in (("csat", "50.0"), ("nps", "40.0"), ("ces", "4.0"), ("response_rate", "80.0"), ("fcr", "50.0"),
                       ("sla", "50.0"), ("first_response_time_median_s", "2.5 h")):
        assert f'id="kpi-{key}">{shown}</b>' in page, key
    weeks = page.split('id="kpi-trend"', 1)[1].split("</section>", 1)[0]
    assert weeks.count("<tr>") == 1 + 4 and "<td>2026-11-08</td>" in weeks  # header + 4 weeks from Nov 1
    breakdown = page.split('id="kpi-breakdown"', 1)[1]
    assert "<td>support-csat</td>" in breakdown and "<td>loyalty-nps</td>" in breakdown
