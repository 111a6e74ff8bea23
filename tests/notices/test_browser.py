"""A manager's session in real headless Chromium: open an issue, see its reach, preview the notice, send a test,
approve, see delivery counts; resolve it, and an agent finds the follow-up draft in the queue.
Leaves test-artifacts/notices-issue.png."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from drafting.decisions import approve
from drafting.pipeline import draft_mentions
from careloop.webapp import create_app
from inbox.users import add_user
from notices.delivery import send_notices
from store.db import session_scope
from store.models import Draft
from tests.drafting.helpers import add_mention
from tests.inbox.conftest import LiveServer, PASSWORD, log_in_page

from .helpers import AUDIENCE, NOTES, import_csv, notice_config

pytestmark = pytest.mark.browser
SCREENSHOT = Path(__file__).resolve().parents[2] / "test-artifacts" / "notices-issue.png"


def test_manager_opens_approves_and_resolves_an_issue(sqlite_engine, chromium, make_config, smtp_sink):
    config = notice_config(make_config, smtp_sink)
    with session_scope(sqlite_engine) as session:
        add_user(session, "maria", "manager", PASSWORD, display_name="Maria", email="maria@example.com")
        add_user(session, "alice", "agent", PASSWORD, display_name="Alice")
        import_csv(session)
        mention = add_mention(session, "Nokia Care app: přihlášení nefunguje, pořád chyba", sentiment="negative",
                              language="cs", source="reddit-nokia", source_type="reddit", external_id="t3_prihlaseni")
        draft_mentions(session, config)
        draft = session.scalar(select(Draft).where(Draft.mention_id == mention.id))
        approve(session, draft.id, "alice")
        draft.status = "sent"
    server = LiveServer(create_app(sqlite_engine, config, session_secret="notices-browser-" + "n" * 32))
    context = chromium.new_context(base_url=server.url, viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    try:
        log_in_page(page, "maria")
        expect(page.locator("h1")).to_have_text("Known issues")
        page.fill("#issue-title", "Nokia Care app login fails on Android")
        page.fill("#issue-keywords", "login, log in\ncs: přihlá")
        page.fill("#issue-audience", AUDIENCE)
        page.fill("input[name=products]", "Nokia Care app")
        page.fill("#issue-note-en", NOTES["en"])
        page.fill("#issue-note-cs", NOTES["cs"])
        with page.expect_navigation():
            page.click("#open-issue-button")
        expect(page.locator(".flash.ok")).to_contain_text("opened")
        expect(page.locator("#reach-contacts")).to_have_text("5")
        expect(page.locator("#reach-mentions")).to_have_text("1")
        expect(page.locator("#reach")).to_contain_text("cs 1")
        campaign = page.locator("#campaign-investigating")
        expect(campaign.locator(".audience-count")).to_have_text("5")
        expect(campaign).to_contain_text("skipped consent 1")
        expect(campaign.locator(".sample-text").first).to_contain_text("Přihlášení selhává")
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

        with page.expect_navigation():
            campaign.locator(".send-test").click()
        expect(page.locator(".flash.ok")).to_have_text("Test notice queued to maria@example.com.")
        with page.expect_navigation():
            page.locator("#campaign-investigating .approve-campaign").click()
        expect(page.locator(".flash.ok")).to_have_text("Notice approved: 4 queued for sending.")

        assert send_notices(sqlite_engine, config)["sent"] == 5  # what the notices deployment does
        page.reload()
        expect(page.locator("#campaign-investigating td[data-status=sent]")).to_have_text("4")
        expect(page.locator("#campaign-investigating td[data-status=skipped_consent]")).to_have_text("1")
        test_mail = [m for m in smtp_sink.messages() if m["To"].addresses[0].addr_spec == "maria@example.com"]
        assert len(test_mail) == 1 and test_mail[0]["Subject"].startswith("[TEST] ")
        expect(page.locator("#issue-audit")).to_contain_text("campaign approved")

        page.select_option("#new-status", "resolved")
        page.fill("#change-status textarea[name=note_cs]", "Opraveno ve verzi 4.2.1.")
        with page.expect_navigation():
            page.click("#change-status-button")
        expect(page.locator("#issue-status")).to_have_text("resolved")
        expect(page.locator("#campaign-resolved .audience-count")).to_have_text("5")

        page.click("button:has-text('Log out')")
        log_in_page(page, "alice")
        row = page.locator("tr.row", has_text="follow-up")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Opraveno ve verzi 4.2.1.")
        with page.expect_navigation():
            row.locator("a").first.click()
        expect(page.locator(".draft h2")).to_contain_text("Follow-up")
    finally:
        context.close()
        server.close()
