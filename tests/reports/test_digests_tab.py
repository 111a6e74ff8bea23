"""Marketing's Digests tab in real Chromium: the charts load, the brand and date filters change the figures, each
chart's CSV holds exactly the figures the page shows, hostile mention text stays text. Leaves
test-artifacts/digests-tab.png."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from playwright.sync_api import expect

from careloop.webapp import create_app
from inbox.users import add_user
from reports.digests import prepare
from store.db import session_scope
from tests.inbox.conftest import PASSWORD, LiveServer

from .conftest import put
from .test_figures import seed

pytestmark = pytest.mark.browser
SCREENSHOT = Path(__file__).resolve().parents[2] / "test-artifacts" / "digests-tab.png"
HOSTILE = "<img src=x onerror=alert(1)> {{ 7*7 }}"


@pytest.fixture
def tab(sqlite_engine, reports_config, chromium):
    config = reports_config()
    with session_scope(sqlite_engine) as session:
        seed(session)
        put(session, "hostile", "2024-03-29 12:00", sentiment="negative", score=-1.0, text=HOSTILE, author="=cmd|'/c calc'!A1")
        add_user(session, "mark", "marketing", PASSWORD)
        prepare(session, config)
    server = LiveServer(create_app(sqlite_engine, config, session_secret="digests-tab-" + "d" * 32))
    context = chromium.new_context(base_url=server.url, viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    try:
        yield page
    finally:
        context.close()
        server.close()


def table(page, name: str) -> list[list[str]]:
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()]
            for row in page.locator(f"#table-{name} tbody tr").all()]


def test_marketing_filters_the_digests_tab_and_exports_csv(tab, tmp_path):
    page = tab
    page.goto("/login")
    page.fill("input[name=name]", "mark")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Log in')")
    with page.expect_navigation():
        page.click("nav.tabs a:has-text('Digests')")
    page.select_option("select[name=brand]", "Nokia")
    page.fill("input[name=from]", "2024-03-25")
    page.fill("input[name=to]", "2024-03-31")
    with page.expect_navigation():
        page.click("#digest-filters button")
    expect(page.locator("#volume")).to_have_text("8")  # the hand-checked week, plus the hostile mention
    for chart in ("trend", "sources", "voice"):
        image = page.locator(f"#chart-{chart} img")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth") == 1200
    assert [row[0] for row in table(page, "trend")] == [f"2024-03-{day}" for day in range(25, 32)]
    assert table(page, "voice") == [["Nokia", "8", "72.7", "80.0", "-7.3"], ["Slack", "3", "27.3", "20.0", "7.3"]]
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    for name in ("trend", "sources", "voice", "languages"):
        with page.expect_download() as download:
            page.click(f"#chart-{name} a.csv")
        path = tmp_path / f"{name}.csv"
        download.value.save_as(path)
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        headers = page.locator(f"#table-{name} thead th").all_inner_texts()
        assert rows[0] == headers and rows[1:] == table(page, name), name

    # The hostile mention: literal text in the page, nothing ran.
    expect(page.locator("#top-most_negative li").first).to_contain_text(HOSTILE)
    assert page.dialogs == []

    # Another brand, another week: other figures.
    page.select_option("select[name=brand]", "Slack")
    with page.expect_navigation():
        page.click("#digest-filters button")
    expect(page.locator("#volume")).to_have_text("3")
    page.fill("input[name=from]", "2024-03-18")
    page.fill("input[name=to]", "2024-03-24")
    with page.expect_navigation():
        page.click("#digest-filters button")
    expect(page.locator("#volume")).to_have_text("1")
    assert [row[0] for row in table(page, "trend")][0] == "2024-03-18"
