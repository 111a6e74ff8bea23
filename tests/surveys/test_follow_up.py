"""Closing the loop over HTTP: a detractor's follow-up waits in the agents' queue at high priority, its page shows the
answer, comment and history; approved (edited), it leaves as one e-mail in the person's language through the outbox.
A negative comment opens a follow-up too, once scored by the sentiment stage; comments are not mentions."""
from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from careloop.webapp import create_app
from inbox.users import add_user
from publishing.pipeline import publish_pending
from store.db import session_scope
from store.models import Draft, Mention, SurveyAnswer, utcnow
from surveys.answers import add_comment, record_click
from surveys.comments import score_comments
from tests.inbox.conftest import PASSWORD, LiveServer, login, post

from .helpers import answer_links, by_recipient, send_campaign, survey_config


def test_a_detractor_reaches_an_agent_and_gets_an_answer(engine, make_config, smtp_sink):
    config = survey_config(make_config, smtp_sink)
    send_campaign(engine, config, "csat-now")
    mails = by_recipient(smtp_sink)
    jana_token = answer_links(mails["jana@example.com"])[1].rsplit("/", 1)[1]
    with session_scope(engine) as session:
        add_user(session, "alice", "agent", PASSWORD, display_name="Alice")
        nora = add_user(session, "nora", "agent", PASSWORD)  # restricted to a brand: sees no survey answers
        nora.brands, nora.brands_only = ["Nokia"], True
        answer = record_click(session, config, jana_token).answer
        add_comment(session, config, jana_token, "Čekala jsem týden <script>alert(1)</script>")
        answer_id = answer.id
    smtp_sink.reset()
    server = LiveServer(create_app(engine, config, session_secret="survey-follow-" + "f" * 32))
    try:
        with httpx.Client(base_url=server.url, follow_redirects=True) as restricted:
            login(restricted, "nora")
            assert f"/survey-answers/{answer_id}" not in restricted.get("/").text
            assert restricted.get(f"/survey-answers/{answer_id}").status_code == 404
        with httpx.Client(base_url=server.url, follow_redirects=True) as client:
            login(client, "alice")
            queue = client.get("/").text
            assert f"/survey-answers/{answer_id}" in queue and "CSAT 1" in queue and "Jana Nováková" in queue
            page = client.get(f"/survey-answers/{answer_id}").text
            assert "Čekala jsem týden &lt;script&gt;" in page and "<script>alert" not in page  # escaped, never markup
            assert "Dobrý den, Jana Nováková" in page
            draft_id = int(page.split('action="/drafts/', 1)[1].split("/", 1)[0])
            edited = "Dobrý den, Jano, omlouváme se za čekání. Zavoláme vám zítra."
            done = post(client, f"/drafts/{draft_id}/approve", {"mode": "edited", "text": edited, "next": "/"},
                        page=f"/survey-answers/{answer_id}")
            assert done.status_code == 200
    finally:
        server.close()
    assert publish_pending(engine, config)["sent"] == 0  # the inbox's undo window: not before approval + 10 s
    after_the_window = utcnow() + timedelta(seconds=11)
    assert publish_pending(engine, config, now=after_the_window)["sent"] == 1
    assert publish_pending(engine, config, now=after_the_window)["sent"] == 0
    [mail] = smtp_sink.messages()
    assert mail["To"].addresses[0].addr_spec == "jana@example.com"
    assert mail["Subject"] == "Vaše odpověď v našem dotazníku o Nokia"
    assert mail.get_body(("plain",)).get_content().strip() == edited
    with session_scope(engine) as session:
        assert session.scalar(select(Draft.status).where(Draft.id == draft_id)) == "sent"


def test_a_negative_comment_opens_a_follow_up_and_is_no_mention(engine, make_config, smtp_sink, default_scorer):
    config = survey_config(make_config, smtp_sink)
    send_campaign(engine, config, "nps-now")
    mails = by_recipient(smtp_sink)
    with session_scope(engine) as session:
        for address, score, comment in (("anna@example.com", 9, "Terrible support, I waited two weeks and nobody helped me."),
                                        ("ivan@example.com", 8, "Всё отлично, спасибо большое!")):
            token = answer_links(mails[address])[score].rsplit("/", 1)[1]
            record_click(session, config, token)
            add_comment(session, config, token, comment)
        assert session.scalar(select(func.count()).select_from(Draft)) == 0  # 9 and 8 are no detractors
        assert score_comments(session, config, default_scorer) == 2  # the sentiment stage's own model
        assert score_comments(session, config, default_scorer) == 0
        scored = dict(session.execute(select(SurveyAnswer.score, SurveyAnswer.comment_sentiment)).all())
        assert scored == {9: "negative", 8: "positive"}
        [draft] = session.scalars(select(Draft)).all()
        assert draft.reason == "negative comment on NPS 9" and draft.language == "en"
        assert "nobody helped me" in draft.text
        assert session.scalar(select(func.count()).select_from(Mention)) == 0
