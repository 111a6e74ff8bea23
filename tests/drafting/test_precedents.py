"""Learning from agents: a new mention close to one answered earlier is offered the earlier approved reply,
adapted to the new customer, with nothing personal from the earlier one."""
from sqlalchemy import select

from drafting.decisions import approve
from drafting.extract import Details, Wait
from drafting.pipeline import draft_mentions
from drafting.precedents import Precedent, adapt
from sentiment.pipeline import score_unscored
from store.db import session_scope
from store.models import Draft

from .helpers import add_mention, demo_config

EARLIER = "My Nokia XR21 repair has taken 35 days now, order 2023-55810. Where is my phone?"
APPROVED = ("Hi Jana Nováková,\n\nSorry your XR21 repair has taken 35 days. I've asked the service centre about order "
            "2023-55810 and they will ship it tomorrow. We also sent the tracking link to jana.novakova@example.com. "
            "If anything goes wrong, call us and mention your name, Jana.\n\nPetra from Nokia")


def test_adapting_swaps_names_and_facts_and_drops_what_has_no_counterpart():
    earlier = Precedent(1, 1, "en", APPROVED, "Jana Nováková", Details(product="XR21", order_number="2023-55810",
                        waited=Wait(35, "day")), "Nokia", None)
    swapped = adapt(earlier, "Petr", Details(product="G42", order_number="2024-11111", waited=Wait(6, "week")),
                    "My G42 repair: six weeks, order 2024-11111")
    assert swapped.startswith("Hi Petr,\n\nSorry your G42 repair has taken 6 weeks.")
    assert "order 2024-11111 and they will ship it tomorrow" in swapped and "mention your name, Petr." in swapped
    unknown = adapt(earlier, "", Details(), "")
    assert unknown.startswith("Hi,\n\nIf anything goes wrong")  # no product, order or wait known: those sentences go
    for text in (swapped, unknown):
        assert not any(personal in text for personal in ("Jana", "Nováková", "2023-55810", "35 days", "jana.novakova@", "XR21"))
        assert text.endswith("Petra from Nokia")


def test_a_similar_new_mention_gets_the_earlier_answer_adapted(sqlite_engine, make_config, default_scorer):
    config = demo_config(make_config)
    with session_scope(sqlite_engine) as session:
        add_mention(session, EARLIER, source="reddit-nokia", source_type="reddit", author="Jana Nováková", sentiment=None)
        score_unscored(session, default_scorer)
        draft_mentions(session, config)
        first = session.scalar(select(Draft))
        assert "answered_before" not in first.suggestions  # nothing answered yet
        approve(session, first.id, "eva", APPROVED, config=config)
    with session_scope(sqlite_engine) as session:
        add_mention(session, "My Nokia G42 repair has taken six weeks now, order 2024-11111. Where is my phone?",
                    source="reddit-nokia", source_type="reddit", author="Petr", sentiment=None)
        add_mention(session, "Nokia G60 camera app shows a black screen since the update", source="reddit-nokia",
                    source_type="reddit", author="Olga", sentiment=None)
        score_unscored(session, default_scorer)
        draft_mentions(session, config)
        drafts = {draft.mention.author: draft for draft in session.scalars(select(Draft))}
        offered = drafts["Petr"].suggestions["answered_before"]
        assert offered["draft_id"] == first.id and offered["similarity"] >= 0.90
        assert offered["text"].startswith("Hi Petr,\n\nSorry your G42 repair has taken 6 weeks.")
        assert "2024-11111" in offered["text"]
        assert not any(personal in offered["text"] for personal in ("Jana", "Nováková", "2023-55810", "35 days", "example.com"))
        assert "answered_before" not in drafts["Olga"].suggestions  # not like anything answered
