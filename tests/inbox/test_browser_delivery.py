"""The Approved list in real headless Chromium: a reply to post by hand is copied to the clipboard and its page
opened from the row, then marked as sent; the row leaves the list."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import log_in_page

pytestmark = pytest.mark.browser


def test_a_reply_to_post_by_hand_is_copied_opened_and_marked_sent_from_the_approved_list(browser_page):
    page, seeded = browser_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.context.route("https://example.com/**", lambda route: route.fulfill(body="the review's page"))
    log_in_page(page, "alice")
    page.goto("/?status=approved")
    row = page.locator(f'tr.row[data-draft="{seeded.drafts["manual"]}"]')
    expect(row.locator(".flag.delivery")).to_have_text("to post by hand")

    with page.expect_popup() as opened:
        row.locator("button.copy-reply").click()
    assert opened.value.url == "https://example.com/review"
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Děkujeme za skvělé hodnocení!")

    with page.expect_navigation():
        row.locator("form.mark-sent button").click()
    expect(page.locator(f'tr.row[data-draft="{seeded.drafts["manual"]}"]')).to_have_count(0)
