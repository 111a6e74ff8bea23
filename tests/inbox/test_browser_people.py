"""Two agents in two real Chromium contexts: the second sees "Alice is on it" (on the mention and in the queue),
cannot approve until they take over (recorded), adds an internal note the first then reads, and approves: the
reply goes out signed by the agent who approved it. Leaves test-artifacts/inbox-claim.png."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from inbox.users import add_user
from store.db import session_scope
from store.models import Draft, OutboxMessage

from .conftest import PASSWORD, log_in_page

pytestmark = pytest.mark.browser
SCREENSHOT = Path(__file__).resolve().parents[2] / "test-artifacts" / "inbox-claim.png"


def test_a_second_agent_sees_the_claim_takes_over_leaves_a_note_and_approves_signed(browser_page, sqlite_engine, chromium):
    alice, seeded = browser_page
    with session_scope(sqlite_engine) as session:
        add_user(session, "bob", "agent", PASSWORD, display_name="Bob")
    draft_id, mention_page = seeded.drafts["restart"], f"/mentions/{seeded.mentions['restart']}"
    log_in_page(alice, "alice")
    alice.goto(mention_page)
    expect(alice.locator("#take-over")).to_have_count(0)  # alice opened it first: it is hers

    server = alice.url.split("/mentions/")[0]
    context = chromium.new_context(base_url=server, viewport={"width": 1400, "height": 900})
    try:
        bob = context.new_page()
        log_in_page(bob, "bob")
        expect(bob.locator(f"tr.row[data-draft='{draft_id}'] .claim")).to_have_text("Alice is on it")
        bob.goto(mention_page)
        expect(bob.locator("#claim")).to_contain_text("Alice is on it")
        expect(bob.locator("#signature-preview")).to_contain_text("Bob z týmu Nokia")
        SCREENSHOT.parent.mkdir(exist_ok=True)
        bob.screenshot(path=str(SCREENSHOT), full_page=True)
        with bob.expect_navigation():
            bob.click("#approve")
        expect(bob.locator(".flash.error").first).to_contain_text("Alice is on it: take it over")
        with session_scope(sqlite_engine) as session:
            assert session.get(Draft, draft_id).status == "pending"

        with bob.expect_navigation():
            bob.click("#take-over button")
        expect(bob.locator(".flash.ok")).to_contain_text("it is yours now")
        expect(bob.locator("#audit")).to_contain_text("took over from Alice")
        bob.fill("#note-text", "Called her: <b>replacement</b> on its way")
        with bob.expect_navigation():
            bob.click("#add-note")

        alice.reload()
        expect(alice.locator("#claim")).to_contain_text("Bob is on it")
        expect(alice.locator("#notes .note")).to_contain_text("Called her: <b>replacement</b> on its way")  # as text
        expect(alice.locator("#notes .note b")).to_have_text("Bob")

        with bob.expect_navigation():
            bob.click("#approve")
        expect(bob.locator(".flash.ok")).to_have_text(f"Draft #{draft_id} approved.")
    finally:
        context.close()
    with session_scope(sqlite_engine) as session:
        draft = session.get(Draft, draft_id)
        posted = session.scalar(select(OutboxMessage.payload).where(OutboxMessage.draft_id == draft_id))["text"]
        assert draft.decided_by == "bob" and posted == f"{draft.text}\n\nBob z týmu Nokia"
    alice.goto(mention_page)
    expect(alice.locator("#reply-text")).to_have_value(f"{draft.text}\n\nBob z týmu Nokia")
    expect(alice.locator("#claim")).not_to_contain_text("is on it")  # decided: released
