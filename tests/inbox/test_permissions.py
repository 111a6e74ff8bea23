"""Permissions as declared actions (careloop/permissions.py), action by action: every route of the inbox names the
action it performs, and for every action each role is refused (403) or let through on every real route that needs
it, against the real app under uvicorn. One server for the module (SQLite: who may do what does not depend on the
database), its four users logged in once."""
from __future__ import annotations

import re
from types import SimpleNamespace

import httpx
import pytest
from fastapi.routing import APIRoute

from careloop.config import parse_config
from careloop.permissions import ACTIONS, ROLES, can
from careloop.webapp import create_app
from inbox.users import add_user
from drafting.decisions import ALLOWED_FROM
from inbox.web import DECISION_ACTIONS, MAX_ROW_ID
from store.db import connect, session_scope

from .conftest import PASSWORD, LiveServer, csrf_of, login, seed

USER_OF_ROLE = {"agent": "alice", "marketing": "mark", "manager": "mona", "admin": "root"}
# Open on purpose: signing in and out, and the digest's unsubscribe link a subscriber follows from an e-mail.
OPEN_ROUTES = {"/login", "/logout", "/reports/digests/unsubscribe/{token}"}
# Declared for a route being built (contacts); once a route names it, it is probed like the others and must leave
# this set.
AWAITING_ROUTE = {"view contacts"}
# Checked inside a route (approve with an edited text also needs "edit reply"): probed on their own below.
CHECKED_INSIDE = {"edit reply"}
# Path parameters name nothing that exists: an allowed role gets past the check to a 404 or a refused decision,
# and nothing in the seed changes.
SAMPLE = {"draft_id": MAX_ROW_ID, "mention_id": MAX_ROW_ID, "campaign_id": MAX_ROW_ID, "possible_id": MAX_ROW_ID,
          "answer_id": MAX_ROW_ID, "user_id": MAX_ROW_ID, "reply_id": MAX_ROW_ID, "key": "NO-SUCH-ISSUE", "decision": "dismiss",
          "chart": "no-such-chart"}


def _api_routes(routes) -> list[APIRoute]:
    """The app's routes, those of included routers too (FastAPI keeps an included router as one entry)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _api_routes(route.original_router.routes)
    return found


def _required_action(route: APIRoute) -> str | None:
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        if hasattr(dependency.call, "action"):
            return dependency.call.action
        pending.extend(dependency.dependencies)
    return None


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    """(app routes, {role: logged-in client}) on one seeded inbox with a user of every role."""
    folder = tmp_path_factory.mktemp("permissions")
    url = f"sqlite:///{folder / 'careloop.db'}"
    engine = connect(url)
    # the known-issues pages read the configured issues and brands
    config = parse_config({"database": url, "brands": [{"name": "Nokia", "keywords": ["Nokia"]},
                                                       {"name": "Jolla", "keywords": ["Jolla"]}]}, folder / "careloop.yaml")
    seed(engine)
    with session_scope(engine) as session:
        add_user(session, "mona", "manager", PASSWORD)
    app = create_app(engine, config, session_secret="permissions-test-" + "p" * 32)
    server = LiveServer(app)
    clients = {role: httpx.Client(base_url=server.url, timeout=30) for role in ROLES}
    for role, client in clients.items():
        assert login(client, USER_OF_ROLE[role]).status_code == 303
    yield _api_routes(app.routes), clients
    for client in clients.values():
        client.close()
    server.close()
    engine.dispose()
    connect.cache_clear()


def _routes_of(routes: list[APIRoute], action: str) -> list[tuple[str, str]]:
    return [(method, route.path) for route in routes if _required_action(route) == action
            for method in sorted(route.methods - {"HEAD"})]


def test_every_route_requires_a_declared_action(inbox):
    routes, _ = inbox
    unchecked = [route.path for route in routes if _required_action(route) is None]
    assert set(unchecked) <= OPEN_ROUTES | {"/"}, f"routes without require(action): {unchecked}"
    used = {_required_action(route) for route in routes} - {None}
    assert used <= set(ACTIONS)
    assert set(ACTIONS) - used == AWAITING_ROUTE | CHECKED_INSIDE, "an action no route requires (or one now routed)"


def _allowed(role: str, action: str) -> bool:
    return can(SimpleNamespace(role=role), action)


@pytest.mark.parametrize("action", sorted(set(ACTIONS) - AWAITING_ROUTE - CHECKED_INSIDE))
def test_each_role_is_refused_or_let_through_as_the_table_says(inbox, action):
    routes, clients = inbox
    probed = _routes_of(routes, action)
    assert probed, f"no route requires {action!r}"
    for role, client in clients.items():
        token = csrf_of(client.get("/login").text)
        for method, path in probed:
            url = re.sub(r"{(\w+)}", lambda match: str(SAMPLE[match.group(1)]), path)
            data = {"csrf_token": token, "label": "positive", "reason": "probe", "team": "probe"}
            response = client.request(method, url, data=data if method == "POST" else None)
            refused = response.status_code == 403
            assert refused != _allowed(role, action), (role, method, url, response.status_code)
            if refused:
                assert f"({action})" in response.text  # the page names what was refused


def test_approving_an_edited_text_needs_edit_reply(inbox):
    _, clients = inbox
    for role, client in clients.items():
        token = csrf_of(client.get("/login").text)
        response = client.post(f"/drafts/{MAX_ROW_ID}/approve", data={"csrf_token": token, "mode": "edited", "text": "x"})
        assert (response.status_code == 403) != (_allowed(role, "edit reply") and _allowed(role, "approve reply")), role


def test_every_decision_drafting_allows_names_the_action_it_needs():
    """The mention page shows a decision's button by its action: a decision without one broke the page."""
    assert set(DECISION_ACTIONS) == set(ALLOWED_FROM) and set(DECISION_ACTIONS.values()) <= set(ACTIONS)


def test_the_queue_sends_who_may_not_see_it_to_their_home(inbox):
    _, clients = inbox
    homes = {role: clients[role].get("/").headers.get("location") for role in ROLES}
    assert homes == {"agent": None, "marketing": "/reports", "manager": "/issues", "admin": None}


def test_the_navigation_shows_what_the_role_may_open(inbox):
    _, clients = inbox
    links = {"view queue": 'href="/"', "manage issues": 'href="/issues"', "view reports": 'href="/reports"',
             "export": 'href="/export/corrections.jsonl"', "manage users": 'href="/admin/users"'}
    for role, client in clients.items():
        page = client.get("/reports").text
        shown = {action for action, link in links.items() if link in page}
        assert shown == {action for action in links if role in ACTIONS[action].roles}, role
