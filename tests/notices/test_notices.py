"""A notice campaign end to end: open an issue, approve, deliver to a real SMTP server on loopback; one-click
unsubscribe over HTTP; resolution to earlier recipients; nothing sent twice; nothing of others leaks."""
from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from contacts.importer import erase_contact
from careloop.webapp import create_app
from notices import campaigns
from notices.delivery import send_notices
from notices.issues import change_status
from store.db import session_scope
from store.models import NoticeCampaign, OutboxMessage
from tests.drafting.helpers import add_mention
from tests.inbox.conftest import LiveServer

from .helpers import import_csv, notice_config, open_login_issue

HOSTILE_MENTION = "Login broken again <script>alert(1)</script> {{ 7*7 }} my card 4111-1111"


@pytest.fixture
def config(make_config, smtp_sink):
    return notice_config(make_config, smtp_sink)


def _campaign(engine, stage):
    with session_scope(engine) as session:
        return session.scalar(select(NoticeCampaign).where(NoticeCampaign.stage == stage)).id


def _outbox(engine):
    with session_scope(engine) as session:
        return {row.key: row for row in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "notice"))}


def _by_recipient(sink):
    return {message["To"].addresses[0].addr_spec: message for message in sink.messages()}


def test_a_campaign_reaches_its_audience_once_in_their_language(engine, config, smtp_sink):
    with session_scope(engine) as session:
        import_csv(session)
        add_mention(session, HOSTILE_MENTION, sentiment="negative")
        issue = open_login_issue(session, config)
        campaign = session.scalar(select(NoticeCampaign))
        shown = campaigns.preview(session, config, campaign)
    # android below 4.2: jana, ivan, peter (no consent), anna, max (de → en); not 4.10, not iOS
    assert shown.audience == 5
    assert shown.outcome == {"queued": 4, "skipped_policy": 0, "skipped_consent": 1, "skipped_unsubscribed": 0}
    assert shown.by_language == {"cs": 1, "en": 2, "ru": 1}
    assert "Přihlášení selhává" in shown.samples["cs"]["text"]
    assert send_notices(engine, config)["sent"] == 0  # nothing before approval

    with session_scope(engine) as session:
        assert campaigns.approve(session, config, campaign.id, "maria") == {"queued": 4, "skipped_consent": 1}
        with pytest.raises(Exception, match="only a campaign awaiting approval"):
            campaigns.approve(session, config, campaign.id, "maria")
    assert send_notices(engine, config)["sent"] == 4
    assert send_notices(engine, config)["sent"] == 0

    received = _by_recipient(smtp_sink)
    assert sorted(received) == ["anna@example.com", "ivan@example.com", "jana@example.com", "max@example.com"]
    assert received["jana@example.com"]["Subject"] == "Známý problém: Nokia Care app login fails on Android"
    assert received["ivan@example.com"]["Subject"].startswith("Известная проблема")
    assert received["max@example.com"]["Subject"].startswith("Known issue")  # no German templates: the fallback
    people = {"jana@example.com": "Jana Nováková", "ivan@example.com": "Иван Петров", "peter@example.com": "Peter Horváth",
              "anna@example.com": "Anna Smith", "max@example.com": "Max Müller"}
    for address, message in received.items():
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"].startswith("<https://care.example.com/public/unsubscribe/")
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "unsubscribe" in message["List-Unsubscribe"] and message["List-Unsubscribe"][1:-1] in text
        for part in (text, html):
            assert "broken again" not in part and "4111" not in part and "<script>" not in part  # no mention text, ever
            others = [value for other, name in people.items() if other != address for value in (other, name)]
            assert not any(value in part for value in others), f"another contact's data in {address}'s notice"
    assert "Jana Nováková" in received["jana@example.com"]["To"]
    rows = _outbox(engine)
    assert rows[f"notice:{issue.id}:investigating:3"].status == "skipped_consent"
    assert rows[f"notice:{issue.id}:investigating:3"].error == "no consent to service messages"


def test_unsubscribe_one_click_then_resolution_reaches_the_rest(engine, config, smtp_sink):
    with session_scope(engine) as session:
        import_csv(session)
        issue = open_login_issue(session, config)
        campaigns.approve(session, config, session.scalar(select(NoticeCampaign.id)), "maria")
    send_notices(engine, config)
    jana = _by_recipient(smtp_sink)["jana@example.com"]
    link = jana["List-Unsubscribe"][1:-1]
    path = link.removeprefix("https://care.example.com")

    server = LiveServer(create_app(engine, config, session_secret="notice-test-" + "y" * 32))
    try:
        with httpx.Client(base_url=server.url) as fresh:  # a mail client: no session, no CSRF token
            page = fresh.get(path)
            assert page.status_code == 200 and "Stop service messages" in page.text
            assert fresh.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
            forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
            assert fresh.post(forged, data={"List-Unsubscribe": "One-Click"}).status_code == 400
            assert "not valid" in fresh.get(forged).text
    finally:
        server.close()

    # The issue is fixed; Anna is erased meanwhile; the CSV is imported again (Jana stays unsubscribed).
    with session_scope(engine) as session:
        erase_contact(session, "anna@example.com")
        report = import_csv(session)
        assert report.skipped_erased == [5]
        issue = change_status(session, config, issue.key, "resolved", "maria",
                              {"en": "Fixed in app version 4.2.1.", "cs": "Opraveno ve verzi 4.2.1."})
        campaign = session.scalar(select(NoticeCampaign).where(NoticeCampaign.stage == "resolved"))
        counts = campaigns.approve(session, config, campaign.id, "maria")
    assert counts == {"queued": 2, "skipped_consent": 1, "skipped_unsubscribed": 1}  # ivan, max; peter; jana
    smtp_sink.reset()
    assert send_notices(engine, config)["sent"] == 2
    received = _by_recipient(smtp_sink)
    assert sorted(received) == ["ivan@example.com", "max@example.com"]
    assert "Fixed in app version 4.2.1." in received["max@example.com"].get_body(("plain",)).get_content()
    rows = _outbox(engine)
    assert rows[f"notice:{issue.id}:resolved:1"].error.startswith("unsubscribed from service messages")
    # Erased: the earlier message stays counted, without her address.
    erased = [row for row in rows.values() if row.payload == {"erased": True}]
    assert len(erased) == 1 and erased[0].status == "sent" and erased[0].contact_id is None
