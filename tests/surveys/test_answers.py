"""One-click answers: signed links from a real survey e-mail followed over HTTP against the real app, on SQLite and
PostgreSQL; bad links record nothing; HEAD and link-scanner bursts are ignored; changes are audited; the comment
form is protected against cross-site posts; a detractor opens a follow-up in the person's language."""
from __future__ import annotations

import time
import types
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from contacts.tokens import TokenError, unsubscribe_token
from careloop.webapp import create_app
from store.db import session_scope
from store.models import Draft, OutboxMessage, SurveyAnswer, SurveyAnswerEvent, utcnow
from surveys.answers import add_comment, record_click
from surveys.links import answer_token
from tests.inbox.conftest import LiveServer

from .helpers import SURVEYS, answer_links, by_recipient, send_campaign, survey_config


@pytest.fixture
def config(make_config, smtp_sink):
    return survey_config(make_config, smtp_sink)


@pytest.fixture
def served(engine, config):
    server = LiveServer(create_app(engine, config, session_secret="survey-test-" + "s" * 32))
    yield server
    server.close()


def _answers(engine) -> dict[str, tuple]:
    with session_scope(engine) as session:
        rows = session.execute(select(OutboxMessage.payload, SurveyAnswer.score, SurveyAnswer.comment)
                               .join(OutboxMessage, OutboxMessage.id == SurveyAnswer.send_id))
        return {payload["to"]: (score, comment) for payload, score, comment in rows}


def _events(engine) -> list[tuple]:
    with session_scope(engine) as session:
        return [tuple(row) for row in session.execute(select(SurveyAnswerEvent.action, SurveyAnswerEvent.score_before,
                                                             SurveyAnswerEvent.score_after).order_by(SurveyAnswerEvent.id))]


def test_one_click_records_at_once_in_the_persons_language(engine, config, smtp_sink, served):
    assert send_campaign(engine, config, "csat-now") == {"queued": 6, "skipped_consent": 1}
    mails = by_recipient(smtp_sink)
    jana, ivan = answer_links(mails["jana@example.com"]), answer_links(mails["ivan@example.com"])
    assert sorted(jana) == [1, 2, 3, 4, 5]  # the whole scale, each its own link
    assert "Jak jste spokojeni" in mails["jana@example.com"].get_body(("html",)).get_content()
    with httpx.Client(base_url=served.url) as client:
        assert client.head(jana[2]).status_code == 200  # a scanner's HEAD
        assert _answers(engine) == {}
        page = client.get(jana[5])
        assert page.status_code == 200 and "Děkujeme, vaše odpověď (5) je uložena" in page.text
        assert client.get(jana[5]).status_code == 200  # the same link again: a replay
        assert "Спасибо" in client.get(ivan[1]).text
    assert _answers(engine) == {"jana@example.com": (5, None), "ivan@example.com": (1, None)}
    assert [action for action, _, _ in _events(engine)] == ["answered", "answered"]


def test_bad_links_record_nothing(engine, config, smtp_sink, served, monkeypatch):
    send_campaign(engine, config, "csat-now")
    path = answer_links(by_recipient(smtp_sink)["jana@example.com"])[4]
    token = path.rsplit("/", 1)[1]
    with session_scope(engine) as session:
        jana_send = session.scalar(select(OutboxMessage).where(OutboxMessage.payload["to"].as_string() == "jana@example.com"))
        anna_send = session.scalar(select(OutboxMessage).where(OutboxMessage.payload["to"].as_string() == "anna@example.com"))
    forged = {
        "tampered": token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
        "other contact": answer_token(anna_send.contact_id, jana_send.id, 4),  # signed, but not this contact's send
        "off the scale": answer_token(jana_send.contact_id, jana_send.id, 9),
        "unsubscribe token": unsubscribe_token(jana_send.contact_id, "survey"),
    }
    real_time = time.time
    monkeypatch.setattr("itsdangerous.timed.time", types.SimpleNamespace(time=lambda: real_time() - 31 * 86400))
    forged["expired"] = answer_token(jana_send.contact_id, jana_send.id, 4)
    monkeypatch.undo()
    with httpx.Client(base_url=served.url) as client:
        for what, bad in forged.items():
            page = client.get(f"/public/survey/{bad}")
            assert page.status_code == 400, what
            assert ("expired" if what == "expired" else "not valid") in page.text, what
    assert _answers(engine) == {}
    with session_scope(engine) as session, pytest.raises(TokenError):
        record_click(session, config, forged["other contact"])


def test_a_later_click_changes_the_answer_and_a_scanner_burst_records_nothing(engine, make_config, smtp_sink):
    config = survey_config(make_config, smtp_sink, surveys={**SURVEYS, "burst_seconds": 1})
    send_campaign(engine, config, "nps-now")
    links = answer_links(by_recipient(smtp_sink)["anna@example.com"])
    tokens = {score: path.rsplit("/", 1)[1] for score, path in links.items()}
    server = LiveServer(create_app(engine, config, session_secret="survey-test-" + "b" * 32))
    try:
        with httpx.Client(base_url=server.url) as client:
            for score in range(11):  # a link checker fetches every link of the message at once
                client.get(links[score])
            assert _answers(engine) == {"anna@example.com": (None, None)}
            time.sleep(1.1)
            assert "(9)" in client.get(links[9]).text  # a person's single click, later: recorded
            time.sleep(1.1)
            client.get(links[7])  # changed her mind: last wins
    finally:
        server.close()
    assert _answers(engine) == {"anna@example.com": (7, None)}
    events = _events(engine)
    assert events[0] == ("answered", None, 0) and events[1] == ("scanner_burst", 0, None)
    assert events[-2:] == [("answered", None, 9), ("changed", 9, 7)]
    with session_scope(engine) as session:
        assert record_click(session, config, tokens[7]).outcome == "repeated"
        # the scanner's first click, a 0, opened a follow-up: gone with the burst; her own 3 later opens one
        assert session.scalar(select(func.count()).select_from(Draft)) == 0
        record_click(session, config, tokens[3], now=utcnow() + timedelta(seconds=2))  # past the burst window
        assert session.scalar(select(Draft.reason).where(Draft.kind == "survey_follow_up")) == "NPS 3: a detractor"


def test_comment_needs_the_pages_own_form(engine, config, smtp_sink, served):
    send_campaign(engine, config, "csat-now")
    path = answer_links(by_recipient(smtp_sink)["anna@example.com"])[4]
    with httpx.Client(base_url=served.url) as client:
        page = client.get(path)
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        with httpx.Client(base_url=served.url) as other_site:  # no cookie: a cross-site post
            assert other_site.post(f"{path}/comment", data={"text": "forged", "csrf": csrf}).status_code == 403
        assert client.post(f"{path}/comment", data={"text": "forged", "csrf": "guess"}).status_code == 403
        assert _answers(engine)["anna@example.com"] == (4, None)
        saved = client.post(f"{path}/comment", data={"text": "  Quick <b>and</b> kind  ", "csrf": csrf})
        assert saved.status_code == 200 and "we have your comment" in saved.text
    assert _answers(engine)["anna@example.com"] == (4, "Quick <b>and</b> kind")


def test_a_detractor_opens_a_follow_up_in_their_language(engine, config, smtp_sink):
    send_campaign(engine, config, "csat-now")
    mails = by_recipient(smtp_sink)
    with session_scope(engine) as session:
        record_click(session, config, answer_links(mails["jana@example.com"])[1].rsplit("/", 1)[1])
        record_click(session, config, answer_links(mails["anna@example.com"])[5].rsplit("/", 1)[1])
        drafts = session.scalars(select(Draft).where(Draft.kind == "survey_follow_up")).all()
        assert len(drafts) == 1
        draft = drafts[0]
        assert draft.status == "pending" and draft.mention_id is None and draft.language == "cs"
        assert draft.priority > 1000 and draft.text.startswith("Dobrý den, Jana Nováková")
        assert draft.reason == "CSAT 1: a detractor"
        with pytest.raises(ValueError, match="no answer"):
            ivan = answer_links(mails["ivan@example.com"])[3].rsplit("/", 1)[1]
            add_comment(session, config, ivan, "nothing clicked yet")
        # a minute later she changes to another low score: still the one follow-up
        record_click(session, config, answer_links(mails["jana@example.com"])[2].rsplit("/", 1)[1],
                     now=utcnow() + timedelta(seconds=61))
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Draft).where(Draft.kind == "survey_follow_up")) == 1


def test_a_scanner_fetching_every_link_at_once_records_nothing(engine, config, smtp_sink):
    """Eleven clicks in parallel, each its own transaction (as `careloop serve --workers N` would run them): the
    clicks of one send are serialised (PostgreSQL locks the send's row; SQLite's write lock), so the burst is seen."""
    from concurrent.futures import ThreadPoolExecutor

    send_campaign(engine, config, "nps-now")
    tokens = [path.rsplit("/", 1)[1] for path in answer_links(by_recipient(smtp_sink)["max@example.com"]).values()]

    def click(token: str) -> str:
        with session_scope(engine) as session:
            return record_click(session, config, token).outcome

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        outcomes = list(pool.map(click, tokens))
    assert outcomes.count("burst") >= len(tokens) - 1
    assert _answers(engine) in ({}, {"max@example.com": (None, None)})
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Draft)) == 0
