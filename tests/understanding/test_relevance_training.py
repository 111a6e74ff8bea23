"""Agents' "about" / "not about us" decisions train a per-brand relevance model over the stored embeddings
(`careloop relevance train`, the scheduled relevance flow); a brand with too few decisions keeps the default."""
from sqlalchemy import select
from typer.testing import CliRunner

from drafting.pipeline import draft_mentions
from drafting.relabel import mark_relevance
from sentiment.pipeline import score_unscored
from store.db import connect, session_scope
from store.models import Draft, Mention, RelevanceFit
from tests.drafting.helpers import add_mention, demo_config
from tests.understanding.relevance_decisions import NOT_SLACK, SLACK, example_config_file, mark
from understanding.relevance_training import train

ROPE = "The mooring line went slack when the tide turned."


def _judged(session, scorer, config, text: str, brand: str = "Slack") -> Mention:
    mention = add_mention(session, text, brand=brand, sentiment=None)
    score_unscored(session, scorer)
    session.commit()
    draft_mentions(session, config)
    return session.get(Mention, mention.id)


def test_agents_decisions_train_a_model_that_corrects_the_default(engine, make_config, default_scorer):
    # a default that lets every mention through (margin -1) judges the rope "about Slack": wrongly
    config = demo_config(make_config, relevance={"min_margin": -1.0})
    with session_scope(engine) as session:
        before = _judged(session, default_scorer, config, ROPE)
        assert before.relevance == "about"
        mark(session, default_scorer, config, NOT_SLACK, "not_about")
        mark(session, default_scorer, config, SLACK, "about")
        mark(session, default_scorer, config, ["Nokia, the town in Finland, hosts a summer fair."], "not_about", "Nokia")
        outcome = {result.brand: result for result in train(session, config)}
        assert outcome["Slack"].outcome == "trained" and (outcome["Slack"].about, outcome["Slack"].not_about) == (10, 10)
        assert outcome["Slack"].precision >= 0.8 and outcome["Slack"].recall >= 0.8
        assert outcome["Nokia"].outcome == "default" and outcome["Nokia"].not_about == 1  # too few: keeps the default
    with session_scope(engine) as session:
        rope = _judged(session, default_scorer, config, "The anchor chain hung slack in the harbour at low tide.")
        assert rope.relevance == "not_about" and "model of 20 decisions" in rope.relevance_reason
        draft = session.scalar(select(Draft).where(Draft.mention_id == rope.id))
        assert draft.status == "no_reply_needed"
        app_bug = _judged(session, default_scorer, config, "Slack messages are not syncing between my laptop and phone.")
        assert app_bug.relevance == "about"
        town = _judged(session, default_scorer, config, "Nokia, the Finnish town, opened a new library.", brand="Nokia")
        # Nokia's one decision still counts, but through the default's nearest-mark rule, not a learnt model
        assert town.relevance_reason.startswith("like a mention an agent marked not about Nokia")


def test_retraining_without_new_decisions_changes_nothing_and_fewer_decisions_drop_the_model(sqlite_engine, make_config,
                                                                                             default_scorer):
    config = demo_config(make_config)
    with session_scope(sqlite_engine) as session:
        mark(session, default_scorer, config, NOT_SLACK, "not_about")
        mark(session, default_scorer, config, SLACK, "about")
        assert [r.outcome for r in train(session, config) if r.brand == "Slack"] == ["trained"]
        fitted = session.scalar(select(RelevanceFit))
        trained_at, parameters = fitted.trained_at, fitted.parameters
    with session_scope(sqlite_engine) as session:
        assert [r.outcome for r in train(session, config) if r.brand == "Slack"] == ["unchanged"]
        fitted = session.scalar(select(RelevanceFit))
        assert (fitted.trained_at, fitted.parameters) == (trained_at, parameters)
        # an agent takes one "not about us" back: 9 left, below relevance.min_decisions, so back to the default
        taken_back = session.scalar(select(Mention.id).where(Mention.text == NOT_SLACK[0]))
        mark_relevance(session, taken_back, "agent-anna", "about", config)
        assert [r.outcome for r in train(session, config) if r.brand == "Slack"] == ["default"]
        assert session.scalar(select(RelevanceFit)) is None


def test_train_command_prints_decisions_and_cross_validated_figures(tmp_path, default_scorer):
    from careloop.cli import app

    path, config = example_config_file(tmp_path)
    with session_scope(connect(config.database_url())) as session:
        mark(session, default_scorer, config, NOT_SLACK, "not_about")
        mark(session, default_scorer, config, SLACK, "about")
    result = CliRunner().invoke(app, ["relevance", "train", "--config", str(path)])
    assert result.exit_code == 0, result.output
    rows = {line.split("\t")[0]: line.split("\t") for line in result.output.splitlines()}
    assert rows["Slack"][1:4] == ["10", "10", "learnt, retrained"] and float(rows["Slack"][4]) >= 0.8
    assert rows["Nokia"][1:4] == ["0", "0", "default"]
    again = CliRunner().invoke(app, ["relevance", "train", "--config", str(path)])
    assert "learnt, no new decisions" in again.output
