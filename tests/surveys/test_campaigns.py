"""Who gets a survey: scheduled samples of an audience, CSAT after a reply to a contact-linked mention, manual sends
with a dry run; the one contact policy shared with notices; review requests that never depend on how happy anyone
is; nothing ever queued twice."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import yaml
from sqlalchemy import func, select
from typer.testing import CliRunner

from careloop.cli import app
from careloop.config import ConfigError
from publishing.outbox import enqueue
from store.db import session_scope
from store.models import Contact, Draft, OutboxMessage, SurveyAnswer, utcnow
from surveys.campaigns import plan_campaign
from tests.drafting.helpers import add_mention
from tests.notices.helpers import import_csv

from .helpers import SURVEYS, consent_all, survey_config

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)
QUARTERLY = {"name": "nps-quarterly", "survey": "loyalty-nps", "trigger": "scheduled", "schedule": "0 9 1 1,4,7,10 *",
             "audience": 'platform == "android"'}


def _config(make_config, sink, *campaigns, **surveys):
    return survey_config(make_config, sink, surveys={**SURVEYS, "campaigns": [*SURVEYS["campaigns"], *campaigns], **surveys})


def _people(plan) -> dict[str, str]:
    return {person.email: person.status for person in plan.people}


def _imported(engine):
    with session_scope(engine) as session:
        import_csv(session)
        consent_all(session)


@pytest.mark.parametrize("sample, size", [("50%", 2), (3, 3)])
def test_a_scheduled_round_samples_its_audience_once(engine, make_config, smtp_sink, sample, size):
    config = _config(make_config, smtp_sink, {**QUARTERLY, "sample": sample})
    campaign = config.surveys.campaign("nps-quarterly")
    _imported(engine)
    with session_scope(engine) as session:
        first = plan_campaign(session, config, campaign, now=NOW)
        again = plan_campaign(session, config, campaign, now=NOW + timedelta(days=3))  # same round: the same draw
        assert first.rounds == ["2026-10-01T09:00"] and _people(first) == _people(again)
        # drawn from the consenting android users: jana, ivan, anna, max, new (not peter: no consent; not ios)
        assert len(first.people) == size and set(_people(first)) <= {"jana@example.com", "ivan@example.com",
                                                                     "anna@example.com", "max@example.com", "new@example.com"}
        assert plan_campaign(session, config, campaign, now=NOW, queue=True).counts() == {"queued": size}
        assert plan_campaign(session, config, campaign, now=NOW + timedelta(hours=1), queue=True).people == []
        next_quarter = plan_campaign(session, config, campaign, now=datetime(2027, 1, 1, 10, tzinfo=timezone.utc))
        assert next_quarter.rounds == ["2027-01-01T09:00"] and len(next_quarter.people) == size
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == size


def test_csat_follows_a_reply_to_a_contact_linked_mention(engine, make_config, smtp_sink):
    after_reply = {"name": "csat-after-reply", "survey": "support-csat", "trigger": "after_reply", "delay": "24h"}
    config = _config(make_config, smtp_sink, after_reply)
    campaign = config.surveys.campaign("csat-after-reply")
    _imported(engine)
    with session_scope(engine) as session:
        linked = add_mention(session, "app keeps crashing", source="reddit-nokia", source_type="reddit", author="Jana_K")
        stranger = add_mention(session, "same here", source="reddit-nokia", source_type="reddit", author="someone")
        for mention in (linked, stranger):
            session.add(Draft(mention_id=mention.id, kind="reply", status="sent", text="Sorry!", sent_at=NOW - timedelta(hours=25)))
        session.flush()
        assert plan_campaign(session, config, campaign, now=NOW - timedelta(hours=2)).people == []  # not a day yet
        plan = plan_campaign(session, config, campaign, now=NOW, queue=True)
        assert _people(plan) == {"jana@example.com": "queued"} and plan.rounds[0].startswith("reply")
        assert plan_campaign(session, config, campaign, now=NOW + timedelta(minutes=5), queue=True).people == []
        assert plan_campaign(session, config, campaign, now=NOW + timedelta(days=9)).people == []  # past the lookback


def test_someone_notified_yesterday_is_not_surveyed_today(engine, make_config, smtp_sink):
    config = _config(make_config, smtp_sink)  # contact_policy: min_gap_days 3, notices exempt but counted
    _imported(engine)
    with session_scope(engine) as session:
        jana = session.scalar(select(Contact).where(Contact.email == "jana@example.com"))
        enqueue(session, key="notice:1:investigating:jana", kind="notice", channel="email", contact_id=jana.id,
                consent_kind="service", status="sent", payload={}, created_at=utcnow() - timedelta(days=1))
        session.execute(OutboxMessage.__table__.update().values(sent_at=utcnow() - timedelta(days=1)))
        plan = plan_campaign(session, config, config.surveys.campaign("csat-now"), queue=True)
    people = {person.email: person for person in plan.people}
    assert people["jana@example.com"].status == "skipped_policy"
    assert people["jana@example.com"].reason == "last message 24 hours ago (contact_policy.min_gap_days is 3)"
    assert people["peter@example.com"].status == "skipped_consent"
    assert people["anna@example.com"].status == "queued"
    with session_scope(engine) as session:  # the skip is stored with its reason
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "survey", OutboxMessage.contact_id == jana.id))
        assert row.status == "skipped_policy" and "min_gap_days" in row.error


def test_review_requests_never_depend_on_scores_or_sentiment(engine, tmp_path, make_config, smtp_sink):
    """No review gating: the same people get the request whether they were unhappy or delighted."""
    config = _config(make_config, smtp_sink)
    review = config.surveys.campaign("review-now")
    _imported(engine)
    with session_scope(engine) as session:
        before = _people(plan_campaign(session, config, review))
        contacts = {contact.email: contact for contact in session.scalars(select(Contact))}
        for index, (email, score) in enumerate([("jana@example.com", 0), ("ivan@example.com", 1), ("anna@example.com", 10)]):
            session.add(SurveyAnswer(send_id=1000 + index, contact_id=contacts[email].id, campaign="nps-now",
                                     survey="loyalty-nps", kind="nps", language="en", score=score, detractor=score <= 6,
                                     comment="terrible" if score < 5 else "great", comment_sentiment="negative" if score < 5 else "positive"))
        add_mention(session, "worst support ever", source="reddit-nokia", source_type="reddit", author="jana_k", sentiment="negative")
        session.flush()
        after = _people(plan_campaign(session, config, review))
    assert after == before
    assert {email for email, status in after.items() if status == "queued"} == {
        "jana@example.com", "ivan@example.com", "anna@example.com", "max@example.com", "new@example.com", "ios@example.com"}
    gated = {**SURVEYS, "campaigns": [{"name": "happy-reviews", "survey": "play-review", "trigger": "manual",
                                       "audience": "nps_score >= 9"}]}
    with pytest.raises(ConfigError, match="review gating"):
        survey_config(make_config, smtp_sink, surveys=gated)


def test_survey_send_dry_run_prints_who_and_why_and_queues_nothing(engine, tmp_path, make_config, smtp_sink):
    config = _config(make_config, smtp_sink)
    _imported(engine)
    data = {**config.model_dump(mode="json", by_alias=True, exclude_none=True), "database": engine.url.render_as_string(False)}
    path = tmp_path / "careloop.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["survey", "send", "csat-now", "--dry-run", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "jana@example.com\twould get it" in result.output
    assert "peter@example.com\tskipped (consent): no consent to survey messages" in result.output
    assert "csat-now: 6 queued, 1 skipped consent (dry run: nothing queued)" in result.output
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    unknown = CliRunner().invoke(app, ["survey", "send", "nope", "--config", str(path)])
    assert unknown.exit_code == 2 and "no survey campaign 'nope'" in unknown.output


def test_csat_after_a_resolved_issue_reaches_those_who_were_notified(engine, make_config, smtp_sink):
    from notices.campaigns import approve
    from store.models import KnownIssueRecord, NoticeCampaign
    from tests.notices.helpers import open_login_issue

    after_fix = {"name": "csat-after-fix", "survey": "support-csat", "trigger": "after_issue_resolved", "delay": "48h"}
    config = _config(make_config, smtp_sink, after_fix)
    campaign = config.surveys.campaign("csat-after-fix")
    _imported(engine)
    with session_scope(engine) as session:
        issue = open_login_issue(session, config)
        approve(session, config, session.scalar(select(NoticeCampaign.id)), "maria")  # jana, ivan, anna, max notified
        session.execute(OutboxMessage.__table__.update().where(OutboxMessage.status == "queued")
                        .values(status="sent", sent_at=NOW - timedelta(days=5)))
        record = session.get(KnownIssueRecord, issue.id)
        record.status, record.resolved_at = "resolved", NOW - timedelta(hours=49)
        session.flush()
        assert plan_campaign(session, config, campaign, now=NOW - timedelta(hours=2)).people == []  # not 48 h yet
        plan = plan_campaign(session, config, campaign, now=NOW, queue=True)
        assert plan.rounds == [f"issue{issue.id}"]
        assert _people(plan) == dict.fromkeys(["jana@example.com", "ivan@example.com", "anna@example.com", "max@example.com"], "queued")
        assert plan_campaign(session, config, campaign, now=NOW + timedelta(hours=1), queue=True).people == []
