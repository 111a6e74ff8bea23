"""What an agent reads on the queue and a mention page: sources by the service's name, review metadata as labelled
fields, counts per status in the queue's navigation, a favicon, ages that fit a column."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import insert

from inbox.display import duration_words
from inbox.queries import COUNT_CAP
from inbox.users import add_user
from store.db import session_scope
from store.mentions import get_or_create_source
from store.models import Draft, Mention, utcnow

from .conftest import PASSWORD, add_draft, add_mention, queue_rows, visible_text

FEEDS = {  # source name → the label an agent reads
    "google-alerts-slack": "Google Alerts", "hn-search-slack": "Hacker News", "mastodon-tag-nokia": "Mastodon",
    "touchnokia-ru": "touchnokia-ru",
}


@pytest.fixture
def sqlite_only(engine):
    """These read pages, not SQL a dialect could change: one database is enough."""
    if engine.dialect.name != "sqlite":
        pytest.skip("page rendering, covered on SQLite")
    return engine


def test_sources_are_labelled_by_their_service_not_as_feed(sqlite_only, served, client_for):
    with session_scope(sqlite_only) as session:
        for name in FEEDS:
            mention = add_mention(session, name, f"Mention from {name}", source=name, source_type="feed", hours_old=1)
            add_draft(session, mention, "Thanks!", priority=5000)  # above the seed, so on the first page
    rows = queue_rows(client_for("alice").get("/").text)
    labels = {row["text"].split(" | ")[0].removeprefix("jana Mention from "): row["source"] for row in rows}
    assert {name: labels[name] for name in FEEDS} == FEEDS
    assert {row["source"] for row in rows} - set(FEEDS.values()) == {"Heureka", "Reddit", "news"}  # the seed's
    page = client_for("alice").get("/").text
    assert '<td class="source" title="hn-search-slack">Hacker News</td>' in page  # the configured name on hover


def test_review_metadata_reads_as_labelled_fields(sqlite_only, served, client_for):
    _, seeded = served
    extra = {"pros": ["Rychlé dodání", "<b>levné</b>"], "cons": ["chybí nabíječka"],
             "ratings": {"delivery_time": 5.0, "communication": 4.0}, "order_id": "CZ-1042",
             "shop_reaction": "Dobrý den, nabíječku posíláme.", "product_url": "javascript:alert(1)",
             "app_version": "4.2.0"}
    with session_scope(sqlite_only) as session:
        mention = add_mention(session, "charger", "Chybí nabíječka.", source="heureka-cz", source_type="heureka",
                              language="cs", rating=3.0, extra=extra)
        add_draft(session, mention, "Omlouváme se.")
    page = client_for("alice").get(f"/mentions/{mention.id}").text
    metadata = re.search(r'<dl class="extra" id="metadata">(.*?)</dl>', page, re.S).group(1)
    fields = dict(re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", metadata, re.S))
    assert {visible_text(label): visible_text(value) for label, value in fields.items()} == {
        "Pros": "Rychlé dodání <b>levné</b>", "Cons": "chybí nabíječka",
        "Ratings": "Delivery time: 5★ Communication: 4★", "Order": "CZ-1042",
        "Shop's reply": "Dobrý den, nabíječku posíláme.", "Product page": "javascript:alert(1)",
        "App version": "4.2.0",
    }
    assert "&lt;b&gt;levné&lt;/b&gt;" in fields["Pros"]  # hostile text stays text
    assert "<a " not in fields["Product page"] and "javascript:alert(1)" in fields["Product page"]  # shown, never linked
    assert "{'" not in page and "['" not in page  # no Python dict or list printed
    assert 'on <span title="source heureka-cz">Heureka</span>' in page


def test_queue_navigation_counts_drafts_per_status(engine, served, client_for):
    """On SQLite and PostgreSQL: the counts are one UNION of capped counts."""
    page = client_for("alice").get("/?brand=Nokia").text
    counts = dict(re.findall(r'data-status="(\w+)"[^>]*>[^<]*<b class="count">(\d+)</b>', page))
    # the seed: five pending, one failed, one approved reply to post by hand on Heureka; what no longer needs anyone
    # (sent, rejected, no reply needed) is a link without a count
    assert counts == {"pending": "5", "approved": "1", "escalated": "0", "failed": "1"}
    assert re.search(r'data-status="no_reply_needed">no reply needed</a>', page)
    assert re.search(r'<small class="by-hand"[^>]*>1 to post by hand</small>', page)
    # each link keeps the other filters and opens that status
    assert '<a href="/?brand=Nokia&amp;status=failed" data-status="failed">' in page
    assert re.search(r'data-status="pending" aria-current="page"', page)

    # an agent an admin restricted to Jolla counts Jolla's drafts only: the one pending Slovak mention
    with session_scope(engine) as session:
        restricted = add_user(session, "jo", "agent", PASSWORD)
        restricted.brands, restricted.brands_only = ["Jolla"], True
    page = client_for("jo").get("/?brand=Jolla").text
    counts = dict(re.findall(r'data-status="(\w+)"[^>]*>[^<]*<b class="count">(\d+)</b>', page))
    assert counts == {"pending": "1", "approved": "0", "escalated": "0", "failed": "0"}
    assert "to post by hand" not in page


def test_status_counts_stop_at_a_thousand(sqlite_only, served, client_for):
    """Counting is linear in the rows: past COUNT_CAP the queue says "1000+" instead of reading every one."""
    now = utcnow()
    with session_scope(sqlite_only) as session:
        source = get_or_create_source(session, "news", "feed")
        ids = session.scalars(insert(Mention).returning(Mention.id), [
            {"source_id": source.id, "source_type": "feed", "external_id": f"flood-{i}", "text": "spam", "text_hash": f"f{i}",
             "brand": "Nokia", "published_at": now} for i in range(COUNT_CAP)]).all()
        session.execute(insert(Draft), [{"mention_id": i, "status": "pending", "text": "Hi", "priority": 0} for i in ids])
    page = client_for("alice").get("/").text
    assert re.search(r'data-status="pending"[^>]*>pending <b class="count">1000\+</b>', page)


def test_favicon_is_served_and_linked(sqlite_only, served, client_for):
    client = client_for()  # anonymous: the login page asks for it too
    response = client.get("/favicon.ico", follow_redirects=True)
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in client.get("/login").text


@pytest.mark.parametrize("age, words", [(timedelta(days=2697), "7 y 142 d"), (timedelta(days=3, hours=4), "3 d 4 h"),
                                        (timedelta(hours=2, minutes=10), "2 h 10 min"), (timedelta(days=1, minutes=5), "1 d"),
                                        (timedelta(seconds=20), "< 1 min")])
def test_durations_read_in_their_two_largest_units(age, words):
    assert duration_words(age.total_seconds()) == words


def test_queue_ages_fit_one_column(sqlite_only, served, client_for):
    with session_scope(sqlite_only) as session:
        mention = add_mention(session, "old", "A review from 2019.", source="heureka-cz", source_type="heureka",
                              hours_old=2697 * 24, sentiment="negative", rating=1.0)
        add_draft(session, mention, "Thanks", priority=1548)
    row = next(row for row in queue_rows(client_for("alice").get("/").text) if "A review from 2019." in row["text"])
    assert row["priority"] == "high · negative · 1★ · 7 y old past SLA: 7 y 142 d of 1 h"
