"""The Approved list says how each approved reply leaves: "to post by hand" (sources without a reply API, e.g.
Heureka, feeds) with the text to copy, the link to open and "Mark as sent"; "will post automatically" for a native
channel (Reddit, Google Play, App Store); "posted" once sent. Real app on loopback, SQLite and PostgreSQL."""
from __future__ import annotations

import re

from .conftest import post


def rows_of(html: str) -> dict[str, str]:
    """The queue's rows by draft id."""
    return {match.group(1): match.group(0) for match in re.finditer(r'<tr class="row"[^>]*data-draft="(\d+)".*?</tr>', html, re.S)}


def test_approved_list_shows_which_replies_need_posting_by_hand(served, client_for):
    _, seeded = served
    alice = client_for("alice")
    native = seeded.drafts["russian"]  # a Reddit mention: the publisher posts it
    assert post(alice, f"/drafts/{native}/approve", {"next": "/"}).status_code == 303

    approved = rows_of(alice.get("/?status=approved").text)

    manual = approved[str(seeded.drafts["manual"])]  # a Heureka review: no reply API
    assert "to post by hand" in manual and "will post automatically" not in manual
    assert f'action="/drafts/{seeded.drafts["manual"]}/sent"' in manual and "Mark as sent" in manual
    assert 'class="copy-reply"' in manual and 'data-open="https://example.com/review"' in manual
    copied = re.search(r'<textarea hidden id="manual-\d+" readonly>(.*?)</textarea>', manual, re.S).group(1)
    assert copied.startswith("Děkujeme za skvělé hodnocení!") and "Alice" in copied  # as approved: signed, whole
    automatic = approved[str(native)]
    assert "will post automatically" in automatic and "to post by hand" not in automatic and "Mark as sent" not in automatic

    assert post(alice, f"/drafts/{seeded.drafts['manual']}/sent", {"next": "/?status=approved"},
                page="/?status=approved").status_code == 303
    assert str(seeded.drafts["manual"]) not in rows_of(alice.get("/?status=approved").text)
    sent = rows_of(alice.get("/?status=sent").text)[str(seeded.drafts["manual"])]
    assert "posted" in sent and "Mark as sent" not in sent
