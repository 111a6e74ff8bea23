"""The queue and the decisions as an agent meets them, through the real app on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import re

from sqlalchemy import select

from store.db import session_scope
from store.models import Draft, Mention, OutboxMessage

from .conftest import add_draft, add_mention, post

ROW = re.compile(r'data-draft="(\d+)"')


def _queue(client, **params) -> list[int]:
    return [int(draft) for draft in ROW.findall(client.get("/", params=params).text)]


def _draft(engine, draft_id: int) -> Draft:
    with session_scope(engine) as session:
        return session.get(Draft, draft_id)


def test_queue_is_sorted_by_priority_and_filters(served, client_for):
    _, seeded = served
    client, d = client_for("alice"), seeded.drafts
    assert _queue(client) == [d["restart"], d["slovak"], d["hostile"], d["russian"], d["praise"]]
    assert _queue(client, brand="Jolla") == [d["slovak"]]
    assert _queue(client, language="cs") == [d["restart"]]
    assert _queue(client, sentiment="negative", source_type="reddit") == [d["hostile"]]
    assert _queue(client, status="failed") == [d["failed"]]
    no_reply = client.get("/", params={"status": "no_reply_needed"}).text
    assert ROW.findall(no_reply) == [str(d["no_reply"])] and "written by the brand&#39;s own account" in no_reply


def test_queue_pages_by_fifty(engine, served, client_for):
    with session_scope(engine) as session:
        for number in range(120):
            mention = add_mention(session, f"bulk-{number}", f"bulk mention {number}", source="news", source_type="feed",
                                  brand="Bulk")
            add_draft(session, mention, "Thanks!", priority=-1)
    client = client_for("alice")
    first, third = _queue(client, brand="Bulk"), _queue(client, brand="Bulk", page=3)
    assert len(first) == 50 and len(third) == 20 and not set(first) & set(third)
    assert 'rel="next"' in client.get("/", params={"brand": "Bulk"}).text
    assert 'rel="next"' not in client.get("/", params={"brand": "Bulk", "page": 3}).text


def test_edit_approve_reject_escalate_and_the_audit_log(engine, served, client_for):
    _, seeded = served
    client, d = client_for("alice"), seeded.drafts
    response = post(client, f"/drafts/{d['restart']}/approve", {"mode": "edited", "text": "Omlouváme se, napište nám."})
    assert response.status_code == 303
    approved = _draft(engine, d["restart"])
    assert (approved.status, approved.text, approved.decided_by) == ("approved", "Omlouváme se, napište nám.", "alice")

    # Reject needs a reason: refused with the message, shown on the mention; nothing changes.
    refused = post(client, f"/drafts/{d['praise']}/reject", {"reason": " "})
    assert refused.headers["location"].startswith(f"/mentions/{seeded.mentions['praise']}")
    assert "a reason is required" in client.get(refused.headers["location"]).text
    assert _draft(engine, d["praise"]).status == "pending"
    post(client, f"/drafts/{d['praise']}/reject", {"reason": "sarcasm, not praise"})
    post(client, f"/drafts/{d['russian']}/escalate", {"team": "tech support", "note": "G42 update date?"})
    assert (_draft(engine, d["praise"]).reason, _draft(engine, d["russian"]).escalated_to) == \
        ("sarcasm, not praise", "tech support")
    assert _queue(client) == [d["slovak"], d["hostile"]]

    log = client.get(f"/mentions/{seeded.mentions['restart']}").text.split('id="audit"')[1]
    assert re.search(r"<td>alice</td><td>edited</td>", log) and re.search(r"<td>alice</td><td>approved</td>", log)
    assert "Dear customer, thanks for writing (restart)." in log and "Omlouváme se, napište nám." in log
    assert "sarcasm, not praise" in client.get(f"/mentions/{seeded.mentions['praise']}").text
    assert "tech support: G42 update date?" in client.get(f"/mentions/{seeded.mentions['russian']}").text


def test_a_draft_decided_by_someone_else_shows_why_it_cannot_be_decided_again(engine, served, client_for):
    _, seeded = served
    alice, root = client_for("alice"), client_for("root")
    page = f"/mentions/{seeded.mentions['slovak']}"
    stale_token_page = alice.get(page)  # alice has the page open (and so claims it) …
    post(root, f"/mentions/{seeded.mentions['slovak']}/take-over", {"holder": "alice"})  # … root takes it over
    assert post(root, f"/drafts/{seeded.drafts['slovak']}/reject", {"reason": "duplicate"}).status_code == 303
    token = re.search(r'name="csrf_token" value="([^"]+)"', stale_token_page.text).group(1)
    response = alice.post(f"/drafts/{seeded.drafts['slovak']}/approve", data={"csrf_token": token})
    assert "cannot approve draft" in alice.get(response.headers["location"]).text
    assert _draft(engine, seeded.drafts["slovak"]).decided_by == "root"


def test_manual_reply_is_copied_then_marked_sent(engine, served, client_for):
    _, seeded = served
    client = client_for("alice")
    page = client.get(f"/mentions/{seeded.mentions['review']}").text
    assert 'data-open="https://example.com/review"' in page and "Mark as sent" in page
    post(client, f"/drafts/{seeded.drafts['manual']}/sent")
    assert _draft(engine, seeded.drafts["manual"]).status == "sent"
    assert "Mark as sent" not in client.get(f"/mentions/{seeded.mentions['review']}").text


def test_failed_reply_shows_the_error_and_can_be_retried(engine, served, client_for):
    _, seeded = served
    client = client_for("alice")
    failed = seeded.drafts["failed"]
    page = client.get("/mentions/" + str(_draft(engine, failed).mention_id)).text
    assert "reddit answered 503 Service Unavailable" in page and "Retry publishing" in page
    post(client, f"/drafts/{failed}/retry")
    with session_scope(engine) as session:
        outbox = session.scalar(select(OutboxMessage).where(OutboxMessage.draft_id == failed))
        assert (session.get(Draft, failed).status, outbox.status, outbox.error) == ("approved", "queued", None)


def test_sentiment_correction_shows_and_exports_as_training_data(engine, served, client_for):
    _, seeded = served
    client = client_for("alice")
    mention = seeded.mentions["praise"]
    post(client, f"/mentions/{mention}/sentiment", {"label": "negative"})
    page = client.get(f"/mentions/{mention}").text
    assert '<span class="sentiment negative" id="sentiment">negative</span>' in page and "sentiment positive → negative" in page
    export = client.get("/export/corrections.jsonl")
    assert export.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in export.text.splitlines()]
    assert rows == [{"text": rows[0]["text"], "label": "negative", "lang": "en"}]
    assert "Love my new Nokia" in rows[0]["text"]
    with session_scope(engine) as session:
        assert session.get(Mention, mention).sentiment_source == "agent"
