"""What agents do in the inbox: each decision moves the draft, queues the reply, and leaves an audit trail."""
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from drafting.decisions import (
    DecisionError, approve, audit_log, correct_sentiment, escalate, export_corrections, mark_sent, reject, retry,
)
from drafting.pipeline import draft_mentions
from store.db import session_scope
from store.models import Draft, Mention, OutboxMessage

from .helpers import add_mention, demo_config


@pytest.fixture
def config(make_config):
    return demo_config(make_config)


@pytest.fixture
def drafts(engine, config):
    """Pending drafts: a Reddit complaint, a Heureka review, and one needing no reply."""
    with session_scope(engine) as session:
        add_mention(session, "My Nokia G42 keeps dying", sentiment="negative", source="reddit-nokia",
                    source_type="reddit", external_id="t3_g42")
        add_mention(session, "Zboží dorazilo rozbité", sentiment="negative", source="heureka-cz", source_type="heureka",
                    language="cs", rating=1, url="https://obchody.heureka.cz/nokia/recenze/123")
        add_mention(session, "Nokia press release", sentiment="neutral")
        draft_mentions(session, config)
        by_source = {draft.mention.source_type: draft.id for draft in session.scalars(select(Draft))}
    return by_source


def test_edit_and_approve_queues_the_edited_reply_for_the_publisher(engine, config, drafts):
    with session_scope(engine) as session:
        draft = approve(session, drafts["reddit"], "eva", "Hi, sorry! Update to 2.1.4 fixes it: https://www.hmd.com/en_int/support",
                        config=config)
        assert (draft.status, draft.decided_by, draft.check_failures) == ("approved", "eva", [])
    with session_scope(engine) as session:
        outbox = session.scalar(select(OutboxMessage))
        assert (outbox.key, outbox.kind, outbox.channel, outbox.status) == (f"reply:{drafts['reddit']}", "reply", "reddit", "queued")
        assert outbox.payload["text"].startswith("Hi, sorry! Update to 2.1.4") and outbox.payload["mention_external_id"] == "t3_g42"
        log = audit_log(session, session.get(Draft, outbox.draft_id).mention_id)
        assert [(e.action, e.actor, e.from_status, e.to_status) for e in log] == [
            ("drafted", "careloop", None, "pending"), ("edited", "eva", "pending", "pending"), ("approved", "eva", "pending", "approved")]
        assert log[1].text_before.startswith("Hi jana,") and log[1].text_after.startswith("Hi, sorry!")


def test_a_review_reply_is_left_to_the_agent_and_marked_sent_by_hand(engine, drafts):
    with session_scope(engine) as session:
        approve(session, drafts["heureka"], "eva")
        outbox = session.scalar(select(OutboxMessage))
        assert (outbox.kind, outbox.channel, outbox.status) == ("reply", "manual", "manual")
        assert outbox.payload["url"] == "https://obchody.heureka.cz/nokia/recenze/123"
    with session_scope(engine) as session:
        draft = mark_sent(session, drafts["heureka"], "eva")
        assert draft.status == "sent" and draft.sent_at is not None
        assert session.scalar(select(OutboxMessage)).status == "sent"


@pytest.mark.parametrize("text, message", [
    ("   ", "the reply is empty"),
    ("Hi {{ author }}, thanks!", "unrendered template syntax"),
])
def test_approval_refuses_an_empty_reply_or_leftover_placeholders(engine, drafts, text, message):
    with session_scope(engine) as session:
        with pytest.raises(DecisionError, match=message):
            approve(session, drafts["reddit"], "eva", text)
        assert session.get(Draft, drafts["reddit"]).status == "pending"
        assert session.scalar(select(OutboxMessage)) is None


def test_reject_needs_a_reason_and_a_rejected_draft_cannot_be_approved(engine, drafts):
    with session_scope(engine) as session:
        with pytest.raises(DecisionError, match="reason is required"):
            reject(session, drafts["reddit"], "eva", " ")
        draft = reject(session, drafts["reddit"], "eva", "troll, do not feed")
        assert (draft.status, draft.reason) == ("rejected", "troll, do not feed")
        with pytest.raises(DecisionError, match="cannot approve draft #\\d+: it is rejected"):
            approve(session, drafts["reddit"], "karel")
        with pytest.raises(DecisionError, match="only approved drafts"):
            mark_sent(session, drafts["reddit"], "karel")


def test_escalated_draft_can_be_approved_after_the_team_answers(engine, drafts):
    with session_scope(engine) as session:
        draft = escalate(session, drafts["reddit"], "eva", "tech", "battery drain after update?")
        assert (draft.status, draft.escalated_to) == ("escalated", "tech")
        approve(session, drafts["reddit"], "karel")
        actions = [(e.action, e.actor, e.note) for e in audit_log(session, draft.mention_id)]
        assert actions[1:] == [("escalated", "eva", "tech: battery drain after update?"),
                               ("approved", "karel", "signed 'karel from Nokia'")]  # who signed what went out


def test_a_failed_reply_goes_back_to_the_publisher_on_retry(engine, drafts):
    with session_scope(engine) as session:
        approve(session, drafts["reddit"], "eva")
        session.get(Draft, drafts["reddit"]).status = "failed"
        session.scalar(select(OutboxMessage)).status, session.scalar(select(OutboxMessage)).error = "failed", "HTTP 500"
    with session_scope(engine) as session:
        assert retry(session, drafts["reddit"], "eva").status == "approved"
        outbox = session.scalar(select(OutboxMessage))
        assert (outbox.status, outbox.error) == ("queued", None)
        with pytest.raises(DecisionError, match="only failed drafts"):
            retry(session, drafts["reddit"], "eva")


def test_two_agents_cannot_both_decide_the_same_draft(engine, drafts):
    with session_scope(engine) as first:
        stale = first.get(Draft, drafts["reddit"])  # agent 1 loaded the draft …
        with session_scope(engine) as second:
            reject(second, drafts["reddit"], "karel", "duplicate of a ticket")  # … agent 2 decided first
        from drafting.decisions import record_change
        with pytest.raises(DecisionError, match="changed by someone else"):
            record_change(first, stale, "eva", "approved", "approved")


def test_two_agents_approving_at_once_queue_one_reply(engine, drafts, monkeypatch):
    """Both read the draft as pending; the second approval must fail cleanly (no duplicate outbox key error)."""
    import drafting.decisions as decisions

    with session_scope(engine) as second:
        seen_pending = decisions._draft(second, drafts["reddit"], "eva", with_mention=True)  # agent 2 opened it …
        with session_scope(engine) as first:
            approve(first, drafts["reddit"], "karel")  # … agent 1 approved and committed first
        monkeypatch.setattr(decisions, "_draft", lambda *args, **kwargs: seen_pending)
        with pytest.raises(DecisionError, match="changed by someone else"):
            approve(second, drafts["reddit"], "eva")
        second.rollback()
    with session_scope(engine) as session:
        assert session.scalars(select(OutboxMessage.key)).all() == [f"reply:{drafts['reddit']}"]
        assert session.get(Draft, drafts["reddit"]).decided_by == "karel"


def test_sentiment_corrections_win_and_export_as_training_data(engine, config, drafts, tmp_path, monkeypatch):
    with session_scope(engine) as session:
        mention_id = session.get(Draft, drafts["reddit"]).mention_id
        correct_sentiment(session, mention_id, "eva", "neutral")
        correct_sentiment(session, mention_id, "karel", "positive")
        with pytest.raises(DecisionError, match="unknown sentiment label"):
            correct_sentiment(session, mention_id, "eva", "angry")
    with session_scope(engine) as session:
        mention = session.get(Mention, mention_id)
        assert (mention.sentiment_label, mention.sentiment_source) == ("positive", "agent")
        assert list(export_corrections(session)) == [{"text": "My Nokia G42 keeps dying", "label": "positive", "lang": "en"}]
        assert audit_log(session, mention_id)[-1].note == "sentiment neutral → positive"

    from careloop.cli import app
    from drafting.cli import register
    from sentiment.data import load_examples

    if "corrections" not in {group.name for group in app.registered_groups}:
        register(app)
    (tmp_path / "careloop.yaml").write_text(json.dumps({"database": engine.url.render_as_string(hide_password=False),
                                                        "brands": [{"name": "Nokia", "keywords": ["Nokia"]}]}))
    out = tmp_path / "corrections.jsonl"
    result = CliRunner().invoke(app, ["corrections", "export", "--config", str(tmp_path / "careloop.yaml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert [(e.text, e.label, e.lang) for e in load_examples(out)] == [("My Nokia G42 keeps dying", "positive", "en")]


def test_stats_say_which_share_of_approved_replies_went_out_as_drafted(engine, config, drafts):
    from careloop.stats import collect_stats

    with session_scope(engine) as session:
        assert collect_stats(session)["drafts_approved_unedited"] is None  # nothing approved yet
        approve(session, drafts["heureka"], "eva")
        approve(session, drafts["reddit"], "eva", "Hi, sorry! Update to 2.1.4 fixes it.", config=config)
    with session_scope(engine) as session:
        assert collect_stats(session)["drafts_approved_unedited"] == 0.5
