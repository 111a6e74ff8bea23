"""An agent's session in real headless Chromium: log in, filter, edit & approve, reject, escalate, approve by
keyboard, read the audit log; the hostile mention stays text. Leaves test-artifacts/inbox-queue.png."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from store.db import session_scope
from store.models import Draft

from .conftest import HOSTILE_TEXT, PASSWORD

pytestmark = pytest.mark.browser
SCREENSHOT = Path(__file__).resolve().parents[2] / "test-artifacts" / "inbox-queue.png"


def _statuses(engine) -> dict[int, Draft]:
    with session_scope(engine) as session:
        return {draft.id: draft for draft in session.query(Draft)}


def test_agent_works_the_queue_in_chromium(browser_page, sqlite_engine):
    page, seeded = browser_page
    d, m = seeded.drafts, seeded.mentions
    page.goto("/")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():  # then inbox.js has run and the shortcuts work
        page.click("button:has-text('Log in')")
    rows = page.locator("tr.row")
    expect(rows).to_have_count(5)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # Filter, then back to everything; the help is one key away.
    page.keyboard.press("?")
    expect(page.locator("#help")).to_have_attribute("open", "")
    page.select_option("select[name=brand]", "Jolla")
    with page.expect_navigation():
        page.click("button:has-text('Filter')")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jolla telefón sa nedá nabiť")
    with page.expect_navigation():
        page.click("a:has-text('reset')")
    expect(rows).to_have_count(5)

    # Edit & approve the top draft; plain Approve is disabled once the text changed.
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class("row selected")
    with page.expect_navigation():
        page.keyboard.press("o")
    page.fill("#reply-text", "Omlouváme se za potíže, napište nám prosím do zpráv.")
    expect(page.locator("#approve")).to_be_disabled()
    with page.expect_navigation():
        page.click("#edit-approve")
    expect(page.locator(".flash.ok")).to_have_text(f"Draft #{d['restart']} edited and approved.")
    assert f"/mentions/{m['slovak']}?" in page.url  # a decision on a mention's page opens the filter's next item
    page.goto("/")

    # Reject the (now second) hostile draft with `r`: the reason field has the cursor.
    page.keyboard.press("j")
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("r")
    expect(page.locator("#reject input[name=reason]")).to_be_focused()
    page.keyboard.type("spam, not a customer")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".flash.ok")).to_have_text(f"Draft #{d['hostile']} rejected.")
    page.goto("/")

    # Escalate the Russian question with `e`, then approve the praise with `a`.
    for _ in range(2):
        page.keyboard.press("j")
    expect(page.locator("tr.row.selected")).to_contain_text("Когда будет обновление")
    with page.expect_navigation():
        page.keyboard.press("e")
    page.keyboard.type("tech support")
    page.fill("#escalate input[name=note]", "release date for G42?")
    with page.expect_navigation():
        page.click("#escalate button")
    expect(page.locator(".flash.ok")).to_have_text(f"Draft #{d['russian']} escalated to tech support.")
    page.goto("/")
    page.keyboard.press("k")  # from nothing selected, k selects the first row
    page.keyboard.press("j")
    expect(page.locator("tr.row.selected")).to_contain_text("Love my new Nokia")
    with page.expect_navigation():
        page.keyboard.press("a")
    expect(page.locator(".flash.ok")).to_have_text(f"Draft #{d['praise']} approved.")
    expect(rows).to_have_count(1)

    drafts = _statuses(sqlite_engine)
    assert [drafts[d[key]].status for key in ("restart", "hostile", "russian", "praise", "slovak")] == \
        ["approved", "rejected", "escalated", "approved", "pending"]
    assert drafts[d["hostile"]].reason == "spam, not a customer"

    # The audit log of the edited draft: who, what, before and after.
    page.goto(f"/mentions/{m['restart']}")
    audit = page.locator("#audit")
    expect(audit).to_contain_text("edited")
    expect(audit).to_contain_text("pending → approved")
    page.click("#audit summary")
    expect(audit).to_contain_text("Dear customer, thanks for writing (restart).")
    expect(audit).to_contain_text("Omlouváme se za potíže")

    # The hostile mention: literal text, nothing ran, nothing evaluated.
    page.goto(f"/mentions/{m['hostile']}")
    expect(page.locator("#mention-text")).to_have_text(HOSTILE_TEXT)
    expect(page.locator("h1")).to_have_text("<img src=x onerror=alert(2)>")
    expect(page.locator("#audit")).to_contain_text("spam, not a customer")
    assert "49" not in page.locator("article").inner_text()
    assert page.dialogs == []
