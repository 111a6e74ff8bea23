"""Search in real headless Chromium: a Czech mention found from the navigation's box typed without diacritics,
narrowed by a queue filter, opened, and the way back. Leaves test-artifacts/inbox-search.png."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import log_in_page

pytestmark = pytest.mark.browser
SCREENSHOT = Path(__file__).resolve().parents[2] / "test-artifacts" / "inbox-search.png"


def test_agent_finds_a_czech_mention_typed_without_diacritics(browser_page):
    page, seeded = browser_page
    log_in_page(page, "alice")
    box = page.locator("header input[name=q]")
    box.fill("porad restartuje")  # the mention says "Telefon se pořád restartuje, nic nepomáhá."
    with page.expect_navigation():
        box.press("Enter")
    rows = page.locator("tr.row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Telefon se pořád restartuje, nic nepomáhá.")
    expect(page.locator("#search-words")).to_have_value("porad restartuje")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # The queue's filters narrow the results: the Czech mention is not a Jolla one.
    page.select_option("#filters select[name=brand]", "Jolla")
    with page.expect_navigation():
        page.click("#filters button:has-text('Search')")
    expect(rows).to_have_count(0)
    expect(page.locator("p.empty")).to_have_text("Nothing found for “porad restartuje” with these filters.")
    page.select_option("#filters select[name=brand]", "")
    with page.expect_navigation():
        page.click("#filters button:has-text('Search')")

    # The queue's keys work on the results; the mention page leads back to them.
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("o")
    expect(page.locator("#mention-text")).to_have_text("Telefon se pořád restartuje, nic nepomáhá.")
    with page.expect_navigation():
        page.click("a:has-text('back to the queue')")
    assert "/search?q=porad+restartuje" in page.url
    expect(rows).to_have_count(1)
