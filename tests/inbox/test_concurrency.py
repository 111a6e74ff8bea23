"""Many agents at once on one inbox process: everyone gets an answer and every approval lands exactly once.
Queue and decisions do their database work on the event loop while logins (argon2) run in the thread pool;
this hangs if a request on the loop ever waits for a pooled connection that only the loop can give back."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from sqlalchemy import func, select

from store.db import session_scope
from store.models import Draft, DraftEvent, OutboxMessage, User

from .conftest import PASSWORD, add_draft, add_mention, csrf_of, login

AGENTS = 20  # each of the two groups is larger than the connection pool keeps (10)


def test_agents_approving_while_others_log_in_all_get_answers(engine, served, client_for):
    with session_scope(engine) as session:
        # logins at production cost (0.15 s of CPU each): the test process hashes cheaply (tests/conftest.py)
        alice = session.scalar(select(User).where(User.name == "alice"))
        alice.password_hash = PasswordHasher().hash(PASSWORD)
        drafts = [add_draft(session, add_mention(session, f"load-{n}", f"Nokia question number {n}?", source="forum",
                                                 source_type="feed"), f"Thanks for asking ({n}).", priority=99).id
                  for n in range(AGENTS)]
    signed_in = client_for("alice")
    working = [client_for() for _ in range(AGENTS)]
    for client in working:  # one login, twenty browsers with that session
        client.cookies.update(signed_in.cookies)
    arriving = [client_for() for _ in range(AGENTS)]

    def queue_then_approve(client, draft_id):
        page = client.get("/")
        answer = client.post(f"/drafts/{draft_id}/approve", data={"csrf_token": csrf_of(page.text)})
        return page.status_code, answer.status_code, answer.headers.get("location")

    with ThreadPoolExecutor(2 * AGENTS) as pool:
        logins = [pool.submit(login, client, "alice") for client in arriving]
        results = list(pool.map(queue_then_approve, working, drafts))
        assert [future.result().status_code for future in logins] == [303] * AGENTS

    assert results == [(200, 303, "/")] * AGENTS
    with session_scope(engine) as session:
        assert session.scalars(select(Draft.status).where(Draft.id.in_(drafts))).all() == ["approved"] * AGENTS
        outbox = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.draft_id.in_(drafts))
        assert session.scalar(outbox) == AGENTS
        approvals = select(func.count()).select_from(DraftEvent).where(DraftEvent.draft_id.in_(drafts),
                                                                      DraftEvent.action == "approved")
        assert session.scalar(approvals) == AGENTS
