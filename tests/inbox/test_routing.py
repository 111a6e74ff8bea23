"""Routing, profiles and notes through the real app on SQLite and PostgreSQL: the queue opens on an agent's
languages and brands; a user an admin restricted to some brands sees and acts on nothing else; agents set their
display name and signatures; internal notes are escaped and never sent."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from inbox.users import add_user
from store.db import session_scope
from store.models import Draft, MentionNote, OutboxMessage, User

from .conftest import PASSWORD, login, post

ROW = re.compile(r'data-draft="(\d+)"')


def _user_id(engine, name: str) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(User.id).where(User.name == name))


def test_an_admin_restricts_an_agent_to_a_brand_who_then_sees_and_acts_on_nothing_else(engine, served, client_for):
    server, seeded = served
    d, m = seeded.drafts, seeded.mentions
    with session_scope(engine) as session:
        add_user(session, "jolla", "agent", PASSWORD, display_name="Jo")
    admin, agent = client_for("root"), client_for("jolla")
    page = f"/admin/users/{_user_id(engine, 'jolla')}"
    assert agent.get(page).status_code == 403  # only admins restrict
    refused = post(admin, page, {"brand": "Jolla", "brands_only": "1", "language": "xx"}, page=page)
    assert refused.status_code == 422 and "unknown language &#39;xx&#39;" in refused.text
    assert post(admin, page, {"brand": "Jolla", "brands_only": "1"}, page=page).status_code == 303

    opened = agent.get("/", follow_redirects=False)  # opens on their brand
    assert opened.status_code == 303 and opened.headers["location"] == "/?brand=Jolla"
    assert [int(row) for row in ROW.findall(agent.get("/", params={"brand": "Nokia"}).text)] == []
    assert [int(row) for row in ROW.findall(agent.get("/", params={"status": "pending", "page": 1}).text)] == [d["slovak"]]
    assert agent.get(f"/mentions/{m['slovak']}").status_code == 200
    assert agent.get(f"/mentions/{m['restart']}").status_code == 404  # Nokia: as if it were not there
    for path, data in ((f"/drafts/{d['restart']}/approve", {}), (f"/drafts/{d['restart']}/reject", {"reason": "spam"}),
                       (f"/mentions/{m['restart']}/notes", {"text": "hello"}), (f"/mentions/{m['restart']}/claim", {}),
                       (f"/mentions/{m['restart']}/sentiment", {"label": "positive"})):
        post(agent, path, data, page=f"/mentions/{m['slovak']}")
    with session_scope(engine) as session:
        assert session.get(Draft, d["restart"]).status == "pending"
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.draft_id == d["restart"])) == 0
        assert session.scalar(select(func.count()).select_from(MentionNote)) == 0
    reports = agent.get("/reports").text
    assert "Jolla" in reports and "Nokia" not in reports
    assert "Nokia" in client_for("alice").get("/reports").text  # unrestricted


def test_the_queue_opens_on_the_agents_languages_and_any_filter_stays_choosable(engine, served, client_for):
    _, seeded = served
    d = seeded.drafts
    alice = client_for("alice")
    assert post(alice, "/profile", {"display_name": "Alice N.", "language": ["cs", "sk"]}, page="/profile").status_code == 303
    opened = alice.get("/", follow_redirects=False)
    assert opened.headers["location"] == "/?language=cs%2Csk"
    queue = alice.get(opened.headers["location"]).text
    assert [int(row) for row in ROW.findall(queue)] == [d["restart"], d["slovak"]]
    assert '<option value="cs,sk" selected>' in queue  # the form keeps the agent's languages
    assert len(ROW.findall(alice.get("/", params={"status": "pending"}).text)) == 5  # "any" is still one choice away
    assert "Alice N." in alice.get("/profile").text


def test_signatures_are_checked_and_the_mention_page_previews_the_one_approval_appends(engine, served, client_for):
    _, seeded = served
    alice = client_for("alice")
    mention_page = f"/mentions/{seeded.mentions['restart']}"
    assert "Alice z týmu Nokia" in alice.get(mention_page).text  # cs default with her display name
    bad = post(alice, "/profile", {"signature:Nokia": "{{ agent }}"}, page="/profile")
    assert bad.status_code == 422 and "the signature for Nokia has template syntax" in bad.text
    assert post(alice, "/profile", {"signature:Nokia": "Alice · Nokia péče"}, page="/profile").status_code == 303
    assert "Alice · Nokia péče" in alice.get(mention_page).text


def test_notes_are_internal_escaped_and_in_order(engine, served, client_for):
    _, seeded = served
    mention_page = f"/mentions/{seeded.mentions['hostile']}"
    alice, root = client_for("alice"), client_for("root")
    post(alice, f"{mention_page}/notes", {"text": "<script>alert('note')</script> called them"}, page=mention_page)
    post(root, f"{mention_page}/notes", {"text": "then a note from root"}, page=mention_page)
    post(root, f"{mention_page}/notes", {"text": "\u200b "}, page=mention_page)  # invisible only: refused
    html = root.get(mention_page).text
    assert "Note not added: the note is empty." in html
    assert "&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt; called them" in html and "<script>alert('note')" not in html
    notes = html[html.index('id="notes"'):]
    assert notes.index("called them") < notes.index("then a note from root")  # newest last, with author
    assert "<b>Alice</b>" in notes and "<b>Root</b>" in notes
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(MentionNote)) == 2
        assert not any("called them" in str(payload) for payload in session.scalars(select(OutboxMessage.payload)))
