"""The inbox on a phone (390×844) and a laptop (1280×800) in real headless Chromium: no page scrolls sideways, the
queue turns into cards with their actions in reach, long hostile URLs and tokens wrap inside their card while
ordinary words stay whole. Leaves screenshots of both widths in test-artifacts/screenshots/."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from store.db import session_scope

from .conftest import add_draft, add_mention, log_in_page

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE, LAPTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
LONG_URL = "https://example.com/" + "very-long-path-segment/" * 14 + "?utm_source=" + "x" * 80
LONG_TOKEN = "AAAAAAAA" * 30  # a pasted tracking number, base64 blob or spam: no space to break at
WIDTH = "document.documentElement.scrollWidth <= window.innerWidth"


def _add_long_review(engine) -> int:
    """A Heureka review as the internet writes them: a long title, an unbroken token, a long URL in the text and
    the metadata, markup that must stay text."""
    with session_scope(engine) as session:
        mention = add_mention(
            session, "long", f"Reklamace trvá už pět týdnů, číslo {LONG_TOKEN}. Podrobnosti: {LONG_URL} <b>díky</b>",
            source="nokia-eshop-heureka-cz", source_type="heureka", language="cs", sentiment="negative", rating=1.0,
            hours_old=75, title="Nokia G42 5G 6GB/128GB " + "Reklamace-bez-odpovědi-" * 6, author="<img src=x>" * 3,
            url=LONG_URL,
            extra={"pros": ["rychlé dodání", LONG_TOKEN], "cons": ["nikdo neodpovídá " * 8], "order_id": LONG_TOKEN[:60],
                   "ratings": {"delivery_time": 5.0, "communication": 1.0}, "product_url": LONG_URL})
        add_draft(session, mention, f"Dobrý den, omlouváme se. Číslo reklamace {LONG_TOKEN[:40]} jsme předali.",
                  priority=1548)
        return mention.id


def _assert_fits(page, what: str) -> None:
    assert page.evaluate(WIDTH), (f"{what} scrolls sideways: {page.evaluate('document.documentElement.scrollWidth')} px "
                                  f"in a {page.evaluate('window.innerWidth')} px window")


def _shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_queue_and_mention_page_fit_a_phone_and_a_laptop(configured_browser_page, sqlite_engine):
    page, seeded = configured_browser_page
    long_id = _add_long_review(sqlite_engine)
    log_in_page(page, "alice")
    cards = page.locator("tr.row")

    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(cards).to_have_count(6)
    _assert_fits(page, "the queue at 390 px")
    _shoot(page, "queue-390")
    assert cards.first.evaluate("row => getComputedStyle(row).display") == "flex"  # a card, not a table row
    expect(cards.first.locator(".priority-words")).to_have_text("high · negative · 1★ · 3 d old")
    expect(cards.first.locator(".sla.breached")).to_have_text("past SLA: 3 d 3 h of 1 h")
    for index in range(6):
        card = cards.nth(index).bounding_box()
        assert card["x"] >= 0 and card["x"] + card["width"] <= PHONE["width"]
        assert card["height"] < 600, f"card {index} is {card['height']:.0f} px tall"  # a row was 1,087 px
        approve = cards.nth(index).locator("form.approve button").bounding_box()
        assert approve["x"] + approve["width"] <= PHONE["width"] and approve["height"] >= 30  # in reach, tappable
    # ordinary words stay whole: the Czech sentence's words each on one line (each word's box one line high)
    line_height = cards.first.evaluate("row => parseFloat(getComputedStyle(row).lineHeight)")
    word_heights = cards.first.locator("td.text").first.evaluate(
        """cell => { const range = document.createRange(); const text = [...cell.childNodes].find(
              node => node.nodeType === 3 && node.textContent.includes('Reklamace'));
            const at = text.textContent.indexOf('Reklamace'); range.setStart(text, at); range.setEnd(text, at + 9);
            return [...range.getClientRects()].map(rect => rect.height); }""")
    assert len(word_heights) == 1 and word_heights[0] <= line_height * 1.2
    # the status counts and filters are there, and the filter still works by touch
    expect(page.locator("nav.statuses a[aria-current=page]")).to_contain_text("pending 6")
    page.select_option("select[name=source_type]", "heureka")
    with page.expect_navigation():
        page.click("button:has-text('Filter')")
    expect(cards).to_have_count(2)
    _assert_fits(page, "the filtered queue at 390 px")

    page.goto(f"/mentions/{long_id}")
    _assert_fits(page, "the mention page at 390 px")
    expect(page.locator("#metadata dt").first).to_have_text("Pros")
    approve = page.locator("#approve").bounding_box()
    assert approve["x"] + approve["width"] <= PHONE["width"]
    _shoot(page, "mention-390")

    page.set_viewport_size(LAPTOP)
    page.goto("/")
    _assert_fits(page, "the queue at 1280 px")
    assert cards.first.evaluate("row => getComputedStyle(row).display") == "table-row"  # the table stays on wide screens
    expect(page.locator("table.queue thead")).to_be_visible()
    _shoot(page, "queue-1280")
    page.goto(f"/mentions/{long_id}")
    _assert_fits(page, "the mention page at 1280 px")
    _shoot(page, "mention-1280")


@pytest.mark.parametrize("path", ["/reports", "/reports/digests", "/reports/kpis", "/issues", "/admin/users", "/admin/users/1",
                                  "/profile"])
def test_the_other_pages_fit_a_phone(configured_browser_page, sqlite_engine, path):
    page, _ = configured_browser_page
    _add_long_review(sqlite_engine)
    log_in_page(page, "root")
    page.set_viewport_size(PHONE)
    page.goto(path)
    expect(page.locator("main h1, main h2").first).to_be_visible()
    _assert_fits(page, f"{path} at 390 px")
    _shoot(page, f"{path.strip('/').replace('/', '-')}-390")
