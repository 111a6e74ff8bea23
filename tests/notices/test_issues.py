"""The known-issue registry: careloop.yaml's issues upserted by key (read-only elsewhere), the lifecycle with its
campaigns and history, reach counts, and follow-up drafts in the threads we answered once an issue is resolved."""
from __future__ import annotations


import pytest
from sqlalchemy import select

from drafting.decisions import approve
from drafting.pipeline import draft_mentions
from notices.issues import change_status, reach, update_known_issue
from store.db import session_scope
from store.issues import IssueError, issue_by_key
from store.models import Draft, IssueEvent, NoticeCampaign, OutboxMessage
from tests.drafting.helpers import EXAMPLE, add_mention, demo_config

from .helpers import import_csv, notice_config, open_login_issue

G42 = "nokia-g42-restarts-while-charging-after-update-2-1-3"


def _g42(status):
    import yaml

    issue = yaml.safe_load(EXAMPLE.read_text())["known_issues"][0]
    return {**issue, "status": status}


def test_careloop_yaml_issues_are_upserted_by_key_and_read_only(engine, make_config):
    fixing = demo_config(make_config, known_issues=[_g42("fixing")])
    with session_scope(engine) as session:
        draft_mentions(session, fixing)
        draft_mentions(session, fixing)  # every load upserts; nothing doubles
        issue = issue_by_key(session, G42)
        assert (issue.status, issue.origin, issue.keywords["*"][0]) == ("identified", "config", "restart")
        assert [c.stage for c in session.scalars(select(NoticeCampaign))] == ["identified"]
        with pytest.raises(IssueError, match="declared in careloop.yaml: change it there"):
            change_status(session, fixing, G42, "resolved", "maria")
    fixed = demo_config(make_config, known_issues=[_g42("fixed")])
    with session_scope(engine) as session:
        draft_mentions(session, fixed)
        issue = issue_by_key(session, G42)
        assert issue.status == "resolved" and issue.resolved_at is not None
        actions = [(e.actor, e.action, e.to_status) for e in session.scalars(select(IssueEvent).order_by(IssueEvent.id))]
    assert actions == [("careloop.yaml", "opened", "identified"), ("careloop.yaml", "campaign_created", "identified"),
                       ("careloop.yaml", "updated", None),  # the note for the new status
                       ("careloop.yaml", "resolved", "resolved"), ("careloop.yaml", "campaign_created", "resolved")]


def test_resolving_drafts_one_follow_up_per_answered_thread(engine, make_config, smtp_sink):
    config = notice_config(make_config, smtp_sink)
    with session_scope(engine) as session:
        about = add_mention(session, "Can't log in to the Nokia Care app on my G42 since Monday", sentiment="negative",
                            source="reddit-nokia", source_type="reddit", external_id="t3_login", author="jana_k")
        other = add_mention(session, "Battery of my Nokia lasts two days, great", sentiment="positive")
        unanswered = add_mention(session, "Nokia Care app login broken for me too", sentiment="negative", external_id="t3_two")
        open_login_issue(session, config)
        draft_mentions(session, config)
        for mention in (about, other):
            draft = session.scalar(select(Draft).where(Draft.mention_id == mention.id))
            approve(session, draft.id, "eva")
            draft.status = "sent"  # as the publisher leaves it
        assert reach(session, config, issue_by_key(session, "nokia-care-app-login-fails-on-android")).mentions_7d == 2
        issue = change_status(session, config, "nokia-care-app-login-fails-on-android", "resolved", "maria",
                              {"en": "Fixed in app version 4.2.1: update from Google Play."})
        follow_ups = session.scalars(select(Draft).where(Draft.kind == "follow_up")).all()
        assert [(d.mention_id, d.status, d.campaign) for d in follow_ups] == [(about.id, "pending", f"issue:{issue.key}")]
        assert "Fixed in app version 4.2.1" in follow_ups[0].text and follow_ups[0].check_failures == []
        assert unanswered.id not in [d.mention_id for d in follow_ups]
        draft_mentions(session, config)  # running again adds nothing
        assert session.scalar(select(Draft.id).where(Draft.kind == "follow_up", Draft.id != follow_ups[0].id)) is None
        approve(session, follow_ups[0].id, "eva")
        queued = session.scalar(select(OutboxMessage).where(OutboxMessage.draft_id == follow_ups[0].id))
        assert (queued.kind, queued.channel, queued.status) == ("reply", "reddit", "queued")


def test_a_bad_audience_rule_is_refused_naming_it(engine, make_config, smtp_sink):
    config = notice_config(make_config, smtp_sink)
    with session_scope(engine) as session:
        import_csv(session)
        open_login_issue(session, config)
        with pytest.raises(IssueError, match="audience rule 'open\\(\"x\"\\)'"):
            update_known_issue(session, config, "nokia-care-app-login-fails-on-android", "maria", audience='open("x")')
        found = reach(session, config, issue_by_key(session, "nokia-care-app-login-fails-on-android"))
    assert (found.contacts, found.contacts_by_language) == (5, {"cs": 1, "en": 2, "ru": 1, "sk": 1})
