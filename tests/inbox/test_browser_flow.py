"""The agents' flow in real headless Chromium: a decision on a mention's page opens the next item of the filter,
undo within the window (the publisher then sends nothing for it), the mention page's keys, bulk "no reply needed"
with its confirmation, and a saved reply an admin added, inserted at the cursor by the `s` key."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from drafting.decisions import approve
from publishing.channels import RecordingChannel
from publishing.outbox import deliver
from publishing.pipeline import REPLY_KINDS
from store.db import session_scope
from store.models import Draft, DraftEvent, OutboxMessage, utcnow
from tests.drafting.helpers import demo_config

from .conftest import log_in_page

pytestmark = pytest.mark.browser


def _status(engine, draft_id: int) -> str:
    with session_scope(engine) as session:
        return session.get(Draft, draft_id).status


def test_approve_opens_the_next_item_and_undo_keeps_the_reply_from_being_sent(browser_page, sqlite_engine, make_config):
    page, seeded = browser_page
    d, m = seeded.drafts, seeded.mentions
    log_in_page(page, "alice")
    page.goto("/?source_type=reddit")  # pending Reddit drafts: the hostile one (priority 50), then the Russian (40)
    with page.expect_navigation():
        page.locator("tr.row a").first.click()
    assert f"/mentions/{m['hostile']}?" in page.url
    with page.expect_navigation():
        page.keyboard.press("a")
    # the next item of the same filter opened, with the outcome and an Undo for the approval
    assert f"/mentions/{m['russian']}?" in page.url and "source_type%3Dreddit" in page.url
    expect(page.locator(".flash.ok")).to_have_text(f"Draft #{d['hostile']} approved.")
    expect(page.locator("#undo button")).to_be_enabled()
    assert _status(sqlite_engine, d["hostile"]) == "approved"

    with page.expect_navigation():
        page.keyboard.press("u")
    assert f"/mentions/{m['hostile']}?" in page.url  # back at the draft whose approval was undone
    expect(page.locator(".flash.ok")).to_have_text(
        f"Approval of draft #{d['hostile']} undone: it is pending again and nothing was sent.")
    expect(page.locator("#draft-status")).to_have_text("pending")
    expect(page.locator("#audit")).to_contain_text("approval undone")

    # The Russian one is approved and stays so; at the end of the filter the queue opens again.
    page.goto(f"/mentions/{m['russian']}?next=%2F%3Fsource_type%3Dreddit")
    with page.expect_navigation():
        page.click("#approve")
    assert page.url.endswith("/?source_type=reddit")
    expect(page.locator("tr.row")).to_have_count(1)  # only the hostile one, pending again

    # The publisher, run once the windows are over: only the reply that was not undone leaves.
    reddit = RecordingChannel("reddit")
    counts = deliver(sqlite_engine, demo_config(make_config), kinds=REPLY_KINDS, channels={"reddit": reddit},
                     now=utcnow() + timedelta(minutes=1))
    assert counts["sent"] == 1 and [message.key for message in reddit.sent] == [f"reply:{d['russian']}"]
    assert (_status(sqlite_engine, d["hostile"]), _status(sqlite_engine, d["russian"])) == ("pending", "sent")


def test_keys_on_the_mention_page(browser_page, sqlite_engine):
    page, seeded = browser_page
    d, m = seeded.drafts, seeded.mentions
    log_in_page(page, "alice")
    with page.expect_navigation():  # the queue's first item: the Czech complaint (priority 90), then the Slovak one
        page.locator("tr.row a").first.click()
    assert f"/mentions/{m['restart']}?" in page.url
    page.keyboard.press("?")
    expect(page.locator("#mention-help")).to_have_attribute("open", "")
    expect(page.locator("#mention-help")).to_contain_text("no reply needed: pick the reason")
    with page.expect_navigation():
        page.keyboard.press("j")
    assert f"/mentions/{m['slovak']}?" in page.url
    with page.expect_navigation():
        page.keyboard.press("k")
    assert f"/mentions/{m['restart']}?" in page.url

    # Keys typed into the reply are text, not shortcuts; Esc leaves the field and the keys work again.
    page.click("#reply-text")
    page.keyboard.press("End")
    page.keyboard.type(" jak")
    expect(page.locator("#reply-text")).to_have_value("Dear customer, thanks for writing (restart). jak")
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    expect(page.locator("#reject-reason")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("e")
    expect(page.locator("#escalate-team")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("a")  # the text was edited: `a` does not post the old draft, it offers Edit & approve
    expect(page.locator("#edit-approve")).to_be_focused()
    assert _status(sqlite_engine, d["restart"]) == "pending"

    page.keyboard.press("n")
    expect(page.locator("#no-reply-reason")).to_be_focused()
    page.select_option("#no-reply-reason", "answered_elsewhere")
    page.fill("#no-reply-detail", "by e-mail")
    with page.expect_navigation():
        page.click("#no-reply button")
    assert f"/mentions/{m['slovak']}?" in page.url
    expect(page.locator(".flash.ok")).to_have_text(
        f"Draft #{d['restart']} marked no reply needed (already answered elsewhere).")
    with session_scope(sqlite_engine) as session:
        draft = session.get(Draft, d["restart"])
        assert (draft.status, draft.reason, draft.decided_by) == (
            "no_reply_needed", "already answered elsewhere: by e-mail", "alice")


def test_bulk_no_reply_asks_to_confirm_the_count_and_skips_what_changed_meanwhile(browser_page, sqlite_engine):
    page, seeded = browser_page
    d = seeded.drafts
    log_in_page(page, "alice")
    expect(page.locator("tr.row")).to_have_count(5)
    expect(page.locator("#bulk-apply")).to_be_disabled()
    page.check("#pick-all")
    expect(page.locator("#bulk-apply")).to_have_text("Apply to 5 ticked…")
    page.locator("tr.row input.pick").nth(1).uncheck()  # the Slovak question (second by priority) stays
    page.select_option("#bulk-decision", "no_reply")
    page.select_option("#bulk-reason", "press")
    with page.expect_navigation():
        page.click("#bulk-apply")
    expect(page.locator("h1")).to_have_text("No reply needed 4 drafts?")
    expect(page.locator("#bulk-summary")).to_contain_text("no reply needed: press or article — 4 of 4 selected")
    expect(page.locator(".bulk-items tbody tr")).to_have_count(4)
    assert _status(sqlite_engine, d["restart"]) == "pending"  # nothing changes before the confirmation

    with session_scope(sqlite_engine) as session:  # meanwhile another agent approves one of them
        approve(session, d["praise"], "root")
    with page.expect_navigation():
        page.click("#bulk-confirm button")
    expect(page.locator(".flash.ok")).to_have_text(
        f"3 marked no reply needed, 1 skipped: already decided (#{d['praise']}).")
    expect(page.locator("tr.row")).to_have_count(1)
    expect(page.locator("tr.row")).to_contain_text("Jolla telefón")
    with session_scope(sqlite_engine) as session:
        for key in ("restart", "hostile", "russian"):
            draft = session.get(Draft, d[key])
            assert (draft.status, draft.reason) == ("no_reply_needed", "press or article")
            assert session.scalar(select(func.count()).select_from(DraftEvent).where(
                DraftEvent.draft_id == d[key], DraftEvent.action == "no_reply_needed")) == 1
        assert session.get(Draft, d["praise"]).status == "approved"


def test_a_saved_reply_an_admin_added_is_inserted_at_the_cursor_by_its_shortcut(browser_page, sqlite_engine):
    page, seeded = browser_page
    d, m = seeded.drafts, seeded.mentions
    hostile = "Reklamaci vyřídíme do <b>30 dnů</b> & <script>alert(1)</script>"  # stays text everywhere
    log_in_page(page, "root")
    page.goto("/admin/saved-replies")
    for language, title, text in (("cs", "Reklamace", hostile), ("en", "Refund", "Refunds take 5 days.")):
        page.select_option("select[name=language]", language)
        page.fill("input[name=title]", title)
        page.fill("textarea[name=text]", text)
        with page.expect_navigation():
            page.click("#saved-reply-form button")
        expect(page.locator(".flash.ok")).to_have_text(f"Saved reply '{title}' ({language}) saved.")
    expect(page.locator("#saved-replies-list tbody tr")).to_have_count(2)
    expect(page.locator("#saved-replies-list")).to_contain_text(hostile)
    page.click("button:has-text('Log out')")

    log_in_page(page, "alice")
    page.goto(f"/mentions/{m['restart']}")  # Czech: the picker lists the Czech saved reply only
    page.click("#reply-text")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.keyboard.press("s")
    expect(page.locator("#saved-replies")).to_be_visible()
    expect(page.locator("#saved-filter")).to_be_focused()
    expect(page.locator("#saved-replies button.saved-reply")).to_have_count(1)
    page.keyboard.type("rekl")
    page.keyboard.press("Enter")
    expect(page.locator("#saved-replies")).to_be_hidden()
    expect(page.locator("#reply-text")).to_have_value(f"Dear customer, thanks for writing (restart).\n{hostile}")
    expect(page.locator("#approve")).to_be_disabled()  # an edit: only Edit & approve posts it
    with page.expect_navigation():
        page.click("#edit-approve")
    expect(page.locator(".flash.ok")).to_have_text(f"Draft #{d['restart']} edited and approved.")
    with session_scope(sqlite_engine) as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.draft_id == d["restart"]))
        assert session.get(Draft, d["restart"]).text.endswith(hostile) and hostile in row.payload["text"]
    assert page.dialogs == []
