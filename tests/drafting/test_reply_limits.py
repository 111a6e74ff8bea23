"""Reply checks that block, not only warn: a reply of invisible characters is empty, a reply over the platform's
limit cannot be approved until it fits, a reject reason must say something, and author names in greetings never
carry links, markup or invisible characters. On SQLite and PostgreSQL."""
import pytest
from sqlalchemy import select

from drafting.decisions import DecisionError, approve, escalate, reject
from drafting.pipeline import draft_mentions
from store.db import session_scope
from store.models import Draft, OutboxMessage

from .helpers import add_mention, demo_config

INVISIBLE_ONLY = "\u200b\u200c\u200d\u2060\ufeff \u202e\u202c"


@pytest.fixture
def drafts(engine, make_config):
    """Pending drafts on Google Play (350 characters), a feed (default 2,000) and Reddit, from hostile authors."""
    config = demo_config(make_config)
    with session_scope(engine) as session:
        add_mention(session, "Nokia G42 app crashes", sentiment="negative", source="play", source_type="googleplay",
                    rating=1, author="\u202emoc.elpmaxe-live\u202c http://evil.example/phish")
        add_mention(session, "My Nokia G42 keeps dying", sentiment="negative", author="<script>alert('a1')</script>")
        add_mention(session, "Nokia G42 battery is weak", sentiment="negative", source="reddit-nokia", source_type="reddit",
                    external_id="t3_x", author="Jana\u200b Nováková")
        draft_mentions(session, config)
        by_source = {draft.mention.source_type: draft.id for draft in session.scalars(select(Draft))}
    return config, by_source


def _outbox(engine) -> int:
    with session_scope(engine) as session:
        return len(session.scalars(select(OutboxMessage)).all())


@pytest.mark.parametrize("with_config", [True, False])  # the inbox may run without careloop.yaml: default limits
def test_over_the_platform_limit_or_invisible_only_is_not_approved(engine, drafts, with_config):
    config, ids = drafts
    settings = {"config": config} if with_config else {}
    refused = [
        (ids["googleplay"], "Thanks! " + "x" * 357, "365 characters: over the 350 allowed on googleplay"),
        (ids["feed"], "y" * 512_000, "512000 characters: over the 2000 allowed on feed"),
        (ids["reddit"], INVISIBLE_ONLY, "the reply is empty"),
    ]
    for draft_id, text, reason in refused:
        with session_scope(engine) as session, pytest.raises(DecisionError, match=reason):
            approve(session, draft_id, "eva", text, **settings)
    assert _outbox(engine) == 0
    with session_scope(engine) as session:
        # 350 characters with the approving agent's signature ("\n\neva from Nokia": 16; tests/drafting/test_signatures.py)
        assert approve(session, ids["googleplay"], "eva", "Thanks! " + "x" * 326, **settings).status == "approved"


def test_a_reject_reason_or_team_of_invisible_characters_is_refused(engine, drafts):
    _, ids = drafts
    with session_scope(engine) as session, pytest.raises(DecisionError, match="a reason is required"):
        reject(session, ids["feed"], "eva", "\u200b")
    with session_scope(engine) as session, pytest.raises(DecisionError, match="a team is required"):
        escalate(session, ids["feed"], "eva", "\ufeff\u200d", "note")
    with session_scope(engine) as session:
        assert session.get(Draft, ids["feed"]).status == "pending"


def test_greetings_drop_names_with_links_or_markup_and_strip_invisible_characters(engine, drafts):
    _, ids = drafts
    with session_scope(engine) as session:
        first_lines = {source: session.get(Draft, draft_id).text.splitlines()[0] for source, draft_id in ids.items()}
    assert first_lines["googleplay"] == "Hi there,"  # not "Hi ‮moc.elpmaxe-live‬ http://evil.example/phish,"
    assert first_lines["feed"] == "Hi there,"  # not "Hi <script>alert('a1')</script>,"
    assert first_lines["reddit"] == "Hi Jana Nováková,"


def test_each_platforms_limit_comes_from_its_connector_and_an_operator_may_lower_it(make_config):
    """Google Play's 350 and the App Store's 5,970 are declared by their connectors (reply_max_chars); a source
    type without one takes replies.default_length_limit; replies.length_limits lowers one platform only."""
    from drafting.checks import length_problem

    config = demo_config(make_config)
    assert length_problem("x" * 350, "googleplay", config.replies) is None
    assert "over the 350 allowed on googleplay" in length_problem("x" * 351, "googleplay", config.replies).message
    assert length_problem("x" * 5_970, "appstore", config.replies) is None
    assert "over the 2000 allowed on feed" in length_problem("x" * 2_001, "feed", config.replies).message
    lowered = config.replies.model_copy(update={"length_limits": {"reddit": 500}})
    assert "over the 500 allowed on reddit" in length_problem("x" * 501, "reddit", lowered).message
    assert "over the 350 allowed on googleplay" in length_problem("x" * 351, "googleplay", lowered).message
