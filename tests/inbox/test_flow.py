"""Moving through the queue and the flow's decisions over HTTP, through the real app on SQLite and PostgreSQL:
the next item after a decision and the mention page's previous/next, undo, "no reply needed", the bulk
confirmation, saved replies managed by admins only."""
from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import func, select

from store.db import session_scope
from store.models import Draft, OutboxMessage, SavedReply

from .conftest import add_draft, add_mention, post


def _status(engine, draft_id: int) -> str:
    with session_scope(engine) as session:
        return session.get(Draft, draft_id).status


def test_a_decision_on_a_mention_page_opens_the_next_item_of_its_filter(engine, served, client_for):
    _, seeded = served
    client, d, m = client_for("alice"), seeded.drafts, seeded.mentions
    with session_scope(engine) as session:  # a follow-up of the same priority after the Slovak draft: opened with its id
        follow_up = add_draft(session, session.get(Draft, d["slovak"]).mention, "Fixed in 2.1.4.", priority=70,
                              kind="follow_up", campaign="issue:charging").id
    negative = "/?sentiment=negative&page=1"  # restart 90, slovak 70, its follow-up 70, hostile 50
    back = quote(negative, safe="")
    page = client.get(f"/mentions/{m['slovak']}", params={"next": negative}).text
    assert f'href="/mentions/{m["restart"]}?next={back}" id="previous-item"' in page
    assert f'href="/mentions/{m["slovak"]}?next={back}&amp;draft={follow_up}" id="next-item"' in page

    opened = post(client, f"/drafts/{d['restart']}/reject", {"reason": "duplicate", "next": negative, "advance": "1"})
    assert opened.headers["location"] == f"/mentions/{m['slovak']}?next={back}"
    opened = post(client, f"/drafts/{follow_up}/escalate", {"team": "PR", "next": negative, "advance": "1"})
    assert opened.headers["location"] == f"/mentions/{m['hostile']}?next={back}"
    opened = post(client, f"/drafts/{d['hostile']}/no-reply", {"reason": "spam", "next": negative, "advance": "1"})
    assert opened.headers["location"] == negative  # the last negative one: back to the queue
    # the same decision from the queue page (no `advance`) stays on the queue
    stays = post(client, f"/drafts/{d['slovak']}/approve", {"next": negative})
    assert stays.headers["location"] == negative
    assert [_status(engine, d[key]) for key in ("restart", "hostile", "slovak")] == ["rejected", "no_reply_needed", "approved"]


def test_undo_in_the_window_deletes_the_waiting_reply_and_only_then(engine, served, client_for):
    _, seeded = served
    client, d, m = client_for("alice"), seeded.drafts, seeded.mentions
    post(client, f"/drafts/{d['russian']}/approve", {"next": "/"})
    with session_scope(engine) as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.draft_id == d["russian"]))
        assert row.status == "queued" and row.not_before is not None
    queue = client.get("/").text
    assert f'action="/drafts/{d["russian"]}/undo"' in queue
    assert "/undo" not in client.get("/").text  # offered once, on the page right after the approval
    undone = post(client, f"/drafts/{d['russian']}/undo", {"next": "/"})
    assert undone.headers["location"] == f"/mentions/{m['russian']}?next=%2F"
    assert _status(engine, d["russian"]) == "pending"
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.draft_id == d["russian"])) == 0
    again = post(client, f"/drafts/{d['russian']}/undo", {"next": "/"})
    assert again.status_code == 303
    assert "cannot undo the approval of draft" in client.get(again.headers["location"]).text


def test_bulk_asks_before_it_changes_anything(engine, served, client_for):
    _, seeded = served
    client, d = client_for("alice"), seeded.drafts
    picked = [d["hostile"], d["russian"]]
    page = post(client, "/drafts/bulk", {"draft": picked, "decision": "reject", "status": "pending", "note": "bots", "next": "/"})
    assert page.status_code == 200 and "Reject 2 drafts?" in page.text and "reject: bots" in page.text
    assert {_status(engine, draft_id) for draft_id in picked} == {"pending"}
    refused = post(client, "/drafts/bulk", {"draft": picked, "decision": "reject", "status": "pending", "next": "/"})
    assert refused.status_code == 303 and "a reason is required to reject" in client.get("/").text
    done = post(client, "/drafts/bulk", {"draft": picked, "decision": "reject", "status": "pending", "note": "bots",
                                         "confirm": "1", "next": "/"})
    assert done.status_code == 303 and "2 rejected." in client.get("/").text
    assert {_status(engine, draft_id) for draft_id in picked} == {"rejected"}


def test_saved_replies_are_managed_by_admins_and_saving_twice_changes_nothing(engine, served, client_for):
    agent, admin = client_for("alice"), client_for("root")
    assert agent.get("/admin/saved-replies").status_code == 403
    assert post(agent, "/admin/saved-replies", {"language": "cs", "title": "x", "text": "y"}).status_code == 403
    reply = {"language": "cs", "title": "Reklamace", "text": "Reklamaci vyřídíme do 30 dnů."}
    post(admin, "/admin/saved-replies", reply)
    post(admin, "/admin/saved-replies", reply)
    assert "unchanged: already saved as given" in admin.get("/admin/saved-replies").text
    post(admin, "/admin/saved-replies", {**reply, "text": "Jinak."})
    assert "already exists in cs: edit it instead" in admin.get("/admin/saved-replies").text
    post(admin, "/admin/saved-replies", {**reply, "language": "xx"})
    assert "language &#39;xx&#39; is not one of the configured languages" in admin.get("/admin/saved-replies").text
    with session_scope(engine) as session:
        saved = session.scalars(select(SavedReply)).all()
        assert [(row.language, row.title, row.text, row.updated_by) for row in saved] == [("cs", "Reklamace", reply["text"], "root")]
        saved_id = saved[0].id
    post(admin, "/admin/saved-replies", {**reply, "text": "Reklamaci vyřídíme do 14 dnů.", "reply_id": saved_id})
    for _ in range(2):
        post(admin, f"/admin/saved-replies/{saved_id}/delete")
    assert f"Saved reply #{saved_id} was already deleted." in admin.get("/admin/saved-replies").text
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(SavedReply)) == 0
