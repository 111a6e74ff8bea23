"""Real headless Chromium: a customer opens the survey e-mail's HTML as delivered to the SMTP sink, clicks a score,
sees the thank-you page in Czech and leaves a comment; an agent finds the follow-up in the queue and opens it;
marketing sees the KPIs tab. Leaves test-artifacts/survey-thanks.png."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from careloop.webapp import create_app
from inbox.users import add_user
from store.db import session_scope
from tests.inbox.conftest import LiveServer, PASSWORD, log_in_page

from .helpers import by_recipient, send_campaign, survey_config

pytestmark = pytest.mark.browser
SCREENSHOT = Path(__file__).resolve().parents[2] / "test-artifacts" / "survey-thanks.png"


def test_answer_comment_follow_up_and_kpis_in_a_browser(sqlite_engine, chromium, make_config, smtp_sink):
    config = survey_config(make_config, smtp_sink)
    with session_scope(sqlite_engine) as session:
        add_user(session, "alice", "agent", PASSWORD, display_name="Alice")
        add_user(session, "mark", "marketing", PASSWORD)
    server = LiveServer(create_app(sqlite_engine, config, session_secret="survey-browser-" + "c" * 32))
    context = chromium.new_context(base_url=server.url, viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    try:
        send_campaign(sqlite_engine, config.model_copy(update={"public_url": server.url}), "csat-now")
        html = by_recipient(smtp_sink)["jana@example.com"].get_body(("html",)).get_content()
        page.set_content(html)
        expect(page.locator("a.score")).to_have_count(5)
        with page.expect_navigation():
            page.locator("a.score", has_text="2").click()
        expect(page.locator("h1")).to_have_text("Děkujeme")
        expect(page.locator(".flash")).to_contain_text("vaše odpověď (2) je uložena")
        page.fill("#comment", "Oprava trvala tři týdny.")
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        with page.expect_navigation():
            page.click("#send-comment")
        expect(page.locator(".flash")).to_have_text("Děkujeme, váš komentář máme.")

        log_in_page(page, "alice")
        row = page.locator("tr.row", has_text="CSAT 2")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Oprava trvala tři týdny.")
        with page.expect_navigation():
            row.locator("a").first.click()
        expect(page.locator("#answer-comment")).to_have_text("Oprava trvala tři týdny.")
        expect(page.locator(".draft h2")).to_contain_text("Follow-up e-mail")
        expect(page.locator("#reply-text")).to_contain_text("Dobrý den, Jana Nováková")
        page.click("button:has-text('Log out')")

        log_in_page(page, "mark")
        page.goto("/reports")
        with page.expect_navigation():
            page.click("nav.tabs a:has-text('KPIs')")
        expect(page.locator("#kpi-csat")).to_have_text("0.0")  # one answer, a 2: nobody satisfied
        expect(page.locator("#kpi-response_rate")).to_have_text("16.7")  # 1 of 6 e-mails answered
        expect(page.locator("#kpi-fcr")).to_have_text("–")
    finally:
        context.close()
        server.close()
