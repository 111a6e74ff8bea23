"""Hostile input as a browser meets it, in real headless Chromium: back links never leave the site; an edit the
checks refuse stays in the editor."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from store.db import session_scope
from store.models import Draft

from .conftest import log_in_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("target", ["/\t/evil.example/phish", "/\n/evil.example/phish", "/\\evil.example/phish"])
def test_a_back_link_with_hidden_characters_stays_on_the_site(browser_page, target):
    """Chromium drops the tab in `/<TAB>/evil.example` and followed the back link to http://evil.example/phish."""
    page, seeded = browser_page
    left_site = []
    page.route("http://evil.example/**", lambda route: (left_site.append(route.request.url),
                                                       route.fulfill(body="phished", content_type="text/plain")))
    log_in_page(page, "alice")
    origin = page.url.rsplit("/", 1)[0]
    page.goto(f"/mentions/{seeded.mentions['restart']}?next={quote(target, safe='')}")
    with page.expect_navigation():
        page.click("a:has-text('back to the queue')")
    assert left_site == [] and page.url.startswith(origin)


def test_an_edit_over_the_platform_limit_is_refused_and_kept_in_the_editor(browser_page, sqlite_engine):
    """The agent's refused edit used to be thrown away with the redirect; now the page answers with it in place."""
    page, seeded = browser_page
    log_in_page(page, "alice")
    page.goto(f"/mentions/{seeded.mentions['praise']}")
    long_reply = "Thank you for the kind words! " + "We are glad the battery lasts. " * 70 + "Jana"  # 2,204 characters
    page.fill("#reply-text", long_reply)
    with page.expect_navigation():
        page.click("#edit-approve")
    expect(page.locator(".flash.error")).to_contain_text(f"{len(long_reply)} characters: over the 2000 allowed on feed")
    expect(page.locator("#reply-text")).to_have_value(long_reply)
    expect(page.locator("#approve")).to_be_disabled()  # plain Approve would post the old draft, not this text
    with session_scope(sqlite_engine) as session:
        assert session.get(Draft, seeded.drafts["praise"]).status == "pending"

    page.fill("#reply-text", long_reply[:1900])  # room for the agent's signature, which counts towards the limit
    with page.expect_navigation():
        page.click("#edit-approve")
    expect(page.locator(".flash.ok")).to_have_text(f"Draft #{seeded.drafts['praise']} edited and approved.")
    with session_scope(sqlite_engine) as session:
        assert session.get(Draft, seeded.drafts["praise"]).text == long_reply[:1900].strip()
