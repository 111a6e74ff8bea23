"""Relevance: mentions that match a keyword but are not about the brand are "not about us" with a reason, kept out
of the queue; agents' decisions count for the next ones; `careloop relevance eval` prints precision and recall."""
import json

from sqlalchemy import select
from typer.testing import CliRunner

from drafting.pipeline import draft_mentions
from sentiment.pipeline import score_unscored
from store.db import session_scope
from store.models import Draft, Mention
from tests.conftest import REPO
from tests.drafting.helpers import add_mention, demo_config
from understanding.relevance import RelevanceModel

SHOOTING = "A Citrus Heights officer, the K-9's handler, also was shot through the slack in his uniform but was not injured."


def test_relevance_eval_meets_the_targets_on_the_labelled_set(converted):
    from careloop.cli import app

    result = CliRunner().invoke(app, ["relevance", "eval", "--data", str(REPO / "tests/data/relevance_labelled.tsv"),
                                      "--config", str(REPO / "examples/careloop.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["n"] >= 80 and set(figures["per_language"]) == {"en", "cs", "sk", "ru"}
    assert figures["precision"] >= 0.90 and figures["recall"] >= 0.90, figures


def test_off_topic_mention_is_kept_out_of_the_queue_with_a_reason(sqlite_engine, make_config, default_scorer):
    config = demo_config(make_config)
    with session_scope(sqlite_engine) as session:
        add_mention(session, SHOOTING, brand="Slack", sentiment=None)
        add_mention(session, "Slack is down again and none of our messages send. Terrible.", brand="Slack", sentiment=None)
        score_unscored(session, default_scorer)
    with session_scope(sqlite_engine) as session:
        draft_mentions(session, config)
        drafts = {draft.mention.text: draft for draft in session.scalars(select(Draft))}
        off, on = drafts[SHOOTING], drafts["Slack is down again and none of our messages send. Terrible."]
        assert off.status == "no_reply_needed" and off.reason.startswith("not about us: closer to everyday topics than to what Slack is")
        assert off.mention.relevance == "not_about" and off.mention.relevance_source == "model"
        assert on.status == "pending" and on.mention.relevance == "about" and on.text.strip()  # a real reply draft (signed only at approval)


def test_agents_decisions_count_for_similar_mentions(encoder, example_config):
    slack = [brand for brand in example_config.brands if brand.name == "Slack"]
    marked, similar = encoder.embed(["Our team's slack schedule lets us absorb delays",
                                     "Their project plan has slack so they can absorb delays"])
    plain = RelevanceModel(slack, encoder.embed, -1.0)  # margin -1: without marks everything is about
    assert plain.judge("Slack", similar).relevance == "about"
    taught = RelevanceModel(slack, encoder.embed, -1.0, marks=[("Slack", "not_about", marked)])
    judgement = taught.judge("Slack", similar)
    assert judgement.relevance == "not_about" and "an agent marked" in judgement.reason
    assert taught.judge("Slack", encoder.embed(["Slack huddles keep dropping audio"])[0]).relevance == "about"
    assert plain.judge("Nokia", similar) is None  # not among the brands given: nothing to judge against
