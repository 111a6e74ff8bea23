"""The customer history panel on a mention's page, on SQLite and PostgreSQL: the same author's other mentions on
that platform, our replies to them, and, once the contacts stage ties their handles to a contact, their mentions
on other platforms and their survey answers."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from store.db import session_scope
from store.models import Contact, ContactHandle, SurveyAnswer, User, utcnow

from .conftest import add_mention


def history(page: str) -> list[str]:
    """The panel's entries as (link, label) text, top to bottom."""
    panel = re.search(r'<section class="history" id="history">(.*?)</section>', page, re.S)
    assert panel, "the mention page has no history panel"
    return [f"{href} {label}" for href, label in re.findall(r'<li class="history-\w+"><a href="([^"]+)">([^<]+)</a>', panel.group(1))]


def test_same_author_on_the_same_platform_with_our_replies(served, client_for):
    _, seeded = served
    page = client_for("alice").get(f"/mentions/{seeded.mentions['restart']}").text  # jana on heureka
    review = seeded.mentions["review"]
    assert history(page) == [f"/mentions/{review} our reply (approved, by alice)", f"/mentions/{review} heureka 5★"]
    assert "Děkujeme za skvělé hodnocení!" in page and "Skvělý telefon, doporučuji." in page
    assert "Love my new Nokia" not in page  # jana on a news feed is not known to be the same person


def test_a_contacts_other_handles_and_survey_answers_join_the_history(served, client_for, engine):
    _, seeded = served
    with session_scope(engine) as session:
        contact = Contact(email="jana@example.cz", name="Jana")
        session.add(contact)
        session.flush()
        session.add_all([ContactHandle(contact_id=contact.id, platform="heureka", handle="jana"),
                         ContactHandle(contact_id=contact.id, platform="reddit", handle="jana_k")])
        reddit = add_mention(session, "jana-reddit", "Baterie G42 vydrží dva dny.", source="reddit-nokia",
                             source_type="reddit", author="Jana_K", hours_old=30)
        session.add(SurveyAnswer(send_id=1, contact_id=contact.id, campaign="csat-1", survey="after-reply", kind="nps",
                                 language="cs", score=3, comment="Odpověď přišla pozdě.", answered_at=utcnow() - timedelta(hours=1)))
        session.add(SurveyAnswer(send_id=2, contact_id=contact.id, campaign="csat-1", survey="after-reply", kind="csat",
                                 language="cs", score=None, answered_at=utcnow()))  # only a scanner's clicks: no answer
        session.flush()
        answer_id = session.query(SurveyAnswer.id).filter_by(send_id=1).scalar()
    page = client_for("alice").get(f"/mentions/{seeded.mentions['restart']}").text
    review = seeded.mentions["review"]
    assert history(page) == [f"/mentions/{review} our reply (approved, by alice)", f"/survey-answers/{answer_id} NPS answer 3",
                             f"/mentions/{review} heureka 5★", f"/mentions/{reddit.id} reddit"]
    assert "Odpověď přišla pozdě." in page and "Baterie G42 vydrží dva dny." in page


def test_no_history_for_names_that_are_everyones(served, client_for, engine):
    with session_scope(engine) as session:
        ids = [add_mention(session, f"gp{n}", f"Review {n}", source="play", source_type="googleplay",
                           author="A Google user").id for n in range(2)]
    agent = client_for("alice")
    page = agent.get(f"/mentions/{ids[0]}").text
    assert history(page) == [] and "No other mentions, replies or survey answers from A Google user." in page
    lone = agent.get(f"/mentions/{ids[1]}").text
    assert f"/mentions/{ids[0]}" not in lone


def test_a_user_restricted_to_a_brand_sees_no_history_of_other_brands(served, client_for, engine):
    _, seeded = served
    slovak = f"/mentions/{seeded.mentions['slovak']}"  # jana on the news feed, Jolla; her other feed posts are Nokia's
    assert [entry.split()[1] for entry in history(client_for("root").get(slovak).text)] == ["feed", "feed"]
    with session_scope(engine) as session:
        alice = session.scalar(select(User).where(User.name == "alice"))
        alice.brands, alice.brands_only = ["Jolla"], True
    assert history(client_for("alice").get(slovak).text) == []
