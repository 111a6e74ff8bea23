"""Drafting over the store: who gets a draft, why others do not, idempotency, priority, stats."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from careloop.stats import collect_stats
from drafting.pipeline import draft_mentions
from store.db import session_scope
from store.models import Draft, DraftEvent

from .helpers import add_mention, demo_config


@pytest.fixture
def config(make_config):
    return demo_config(make_config)


def drafts_by_text(session) -> dict[str, Draft]:
    return {draft.mention.text: draft for draft in session.scalars(select(Draft))}


def test_each_mention_gets_a_reply_or_the_reason_it_needs_none(engine, config):
    with session_scope(engine) as session:
        original = add_mention(session, "Nokia X30 camera is broken, support ignores me", sentiment="negative")
        add_mention(session, "Nokia X30 camera is broken, support ignores me (syndicated)", sentiment="negative",
                    duplicate_of_id=original.id)
        add_mention(session, "Nokia G42 restartuje při nabíjení", language="cs", source="heureka-cz", source_type="heureka",
                    rating=1, sentiment="negative")
        add_mention(session, "Jak nastavím dual SIM na Nokii G42", language="cs")
        add_mention(session, "New Nokia G60 announced today", sentiment="neutral")
        add_mention(session, "Love my Nokia 3310 revival", sentiment="positive")
        add_mention(session, "Our new G42 firmware is out!", author="NokiaMobile", sentiment="positive")
        add_mention(session, "Nokia battery died after a week", sentiment="negative", age=timedelta(days=4000))
        answered = add_mention(session, "My Nokia won't boot", sentiment="negative", source="reddit-nokia",
                               source_type="reddit", external_id="t3_abc")
        add_mention(session, "Sorry to hear that, please DM us", author="u/NokiaCare", source="reddit-nokia",
                    source_type="reddit", external_id="t1_xyz", parent_external_id=answered.external_id, sentiment="neutral")
        add_mention(session, "Nokia stock news", sentiment=None)

    with session_scope(engine) as session:
        counts = draft_mentions(session, config)
    assert counts == {"drafted": 4, "flagged": 0, "no_reply_needed": 6, "waiting_for_sentiment": 1, "follow_ups": 0}

    with session_scope(engine) as session:
        drafts = drafts_by_text(session)
        assert drafts["Nokia X30 camera is broken, support ignores me"].template == "en/complaint.j2"
        heureka = drafts["Nokia G42 restartuje při nabíjení"]
        assert heureka.template == "cs/known_issue.j2" and "2.1.4" in heureka.text and heureka.text.startswith("Dobrý den,")
        assert drafts["Jak nastavím dual SIM na Nokii G42"].template == "cs/question.j2"
        assert drafts["Love my Nokia 3310 revival"].template == "en/praise.j2"
        reasons = {text: draft.reason for text, draft in drafts.items() if draft.status == "no_reply_needed"}
        assert reasons["Nokia X30 camera is broken, support ignores me (syndicated)"].startswith(f"duplicate of mention #{original.id}")
        assert reasons["New Nokia G60 announced today"] == "neutral, no question asked and no known issue mentioned"
        assert reasons["Our new G42 firmware is out!"] == "written by the brand's own account (NokiaMobile)"
        assert reasons["Nokia battery died after a week"] == "older than 3650 days (replies.max_age_days)"
        assert reasons["My Nokia won't boot"] == "already answered in the thread by u/NokiaCare"
        assert "Nokia stock news" not in drafts  # drafted once sentiment has scored it
        events = session.scalars(select(DraftEvent)).all()
        assert len(events) == 10 and {(event.action, event.actor) for event in events} == {("drafted", "careloop")}
        # The queue order agents see: the one-star review of a known issue first, praise last.
        queue = session.scalars(select(Draft).where(Draft.status == "pending").order_by(Draft.priority.desc())).all()
        assert [draft.mention.text for draft in queue][0] == "Nokia G42 restartuje při nabíjení"
        assert queue[-1].mention.text == "Love my Nokia 3310 revival"
        assert collect_stats(session)["drafts_by_status"] == {
            "pending": 4, "approved": 0, "rejected": 0, "escalated": 0, "sent": 0, "failed": 0, "no_reply_needed": 6}


def test_reviews_the_brand_already_answered_on_their_platform_get_no_draft(engine, config):
    """Heureka shows the shop's reaction, Play and App Store the developer's reply: answering again would be a
    second public answer to the same review."""
    with session_scope(engine) as session:
        add_mention(session, "Kurýr nedorazil, objednávka stále nikde", language="cs", source="heureka-cz",
                    source_type="heureka", rating=1, sentiment="negative", extra={"shop_reaction": "Omlouváme se, řešíme."})
        add_mention(session, "App crashes after the update", source="play", source_type="googleplay", rating=1,
                    sentiment="negative", extra={"developer_reply": "Fixed in 2.1.5, thanks!", "device": "G42"})
        add_mention(session, "App crashes on login", source="play", source_type="googleplay", rating=1,
                    sentiment="negative", extra={"developer_reply": "  ", "device": "G42"})
    with session_scope(engine) as session:
        draft_mentions(session, config)
        drafts = drafts_by_text(session)
        assert (drafts["Kurýr nedorazil, objednávka stále nikde"].status,
                drafts["Kurýr nedorazil, objednávka stále nikde"].reason) == ("no_reply_needed", "already answered: the shop's reaction")
        answered = drafts["App crashes after the update"]
        assert (answered.status, answered.reason, answered.text) == ("no_reply_needed", "already answered: the developer's reply on the store", "")
        assert drafts["App crashes on login"].status == "pending"  # an empty reply field answers nothing


def test_running_again_drafts_nothing_twice_and_picks_up_newly_scored_mentions(engine, config):
    with session_scope(engine) as session:
        first = add_mention(session, "Nokia screen cracked on day one", sentiment="negative")
        later = add_mention(session, "Is the Nokia G42 waterproof?", sentiment=None)
    with session_scope(engine) as session:
        assert draft_mentions(session, config)["drafted"] == 1
    with session_scope(engine) as session:
        session.get(type(later), later.id).sentiment_label = "neutral"
    with session_scope(engine) as session:
        assert draft_mentions(session, config) == {"drafted": 1, "flagged": 0, "no_reply_needed": 0, "waiting_for_sentiment": 0, "follow_ups": 0}
    with session_scope(engine) as session:
        assert draft_mentions(session, config)["drafted"] == 0
        assert session.scalar(select(Draft).where(Draft.mention_id == first.id)).status == "pending"
        assert len(session.scalars(select(DraftEvent)).all()) == 2


def test_a_failing_draft_is_kept_in_the_queue_with_its_reasons(engine, config):
    with session_scope(engine) as session:
        add_mention(session, "Nokia support never answers", sentiment="negative", author="{{ 7*7 }}")
        add_mention(session, "Nokia, warum startet mein Handy neu?", sentiment="negative", language="de")
    with session_scope(engine) as session:
        assert draft_mentions(session, config)["flagged"] == 1
    with session_scope(engine) as session:
        drafts = drafts_by_text(session)
        injected = drafts["Nokia support never answers"]  # a name that is template syntax is not repeated
        assert injected.status == "pending" and injected.text.startswith("Hi there,") and "7*7" not in injected.text
        assert injected.check_failures == []
        german = drafts["Nokia, warum startet mein Handy neu?"]
        assert german.language == "en" and german.check_failures == ["no reply templates in 'de': drafted in 'en'"]
