"""Hostile input as a browser meets it, in real headless Chromium: back links never leave the site."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from .conftest import PASSWORD

pytestmark = pytest.mark.browser


def _log_in(page, name: str = "alice") -> None:
    page.goto("/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Log in')")


@pytest.mark.parametrize("target", ["/\t/evil.example/phish", "/\n/evil.example/phish", "/\\evil.example/phish"])
def test_a_back_link_with_hidden_characters_stays_on_the_site(browser_page, target):
    """Chromium drops the tab in `/<TAB>/evil.example` and followed the back link to http://evil.example/phish."""
    page, seeded = browser_page
    left_site = []
    page.route("http://evil.example/**", lambda route: (left_site.append(route.request.url),
                                                       route.fulfill(body="phished", content_type="text/plain")))
    _log_in(page)
    origin = page.url.rsplit("/", 1)[0]
    page.goto(f"/mentions/{seeded.mentions['restart']}?next={quote(target, safe='')}")
    with page.expect_navigation():
        page.click("a:has-text('back to the queue')")
    assert left_site == [] and page.url.startswith(origin)
