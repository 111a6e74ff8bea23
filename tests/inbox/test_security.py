"""What keeps the inbox safe: CSRF on every POST (login included), roles, escaped hostile text, headers, the
session secret. Runs against the real app under uvicorn, on SQLite and PostgreSQL."""
from __future__ import annotations

import html
import os
import stat

from sqlalchemy import select

from inbox.security import secret_key
from store.db import session_scope
from store.models import Draft

from .conftest import HOSTILE_TEXT, PASSWORD, csrf_of, login, post


def _status(engine, draft_id: int) -> str:
    with session_scope(engine) as session:
        return session.scalar(select(Draft.status).where(Draft.id == draft_id))


def test_login_without_or_with_a_wrong_csrf_token_is_refused(client_for):
    client = client_for()
    token = csrf_of(client.get("/login").text)
    credentials = {"name": "alice", "password": PASSWORD}
    assert client.post("/login", data=credentials).status_code == 403
    assert client.post("/login", data={**credentials, "csrf_token": token[::-1]}).status_code == 403
    assert client.get("/").status_code == 303  # still logged out
    assert client.post("/login", data={**credentials, "csrf_token": token}).status_code == 303
    assert client.get("/").status_code == 200


def test_wrong_password_does_not_log_in(client_for):
    client = client_for()
    response = login(client, "alice", "not the password")
    assert response.status_code == 401 and "Wrong user name or password" in response.text
    assert login(client, "nobody", PASSWORD).status_code == 401
    assert client.get("/").headers["location"] == "/login?next=%2F"


def test_decisions_without_csrf_token_are_refused_and_change_nothing(engine, served, client_for):
    _, seeded = served
    client = client_for("alice")
    draft = seeded.drafts["praise"]
    for action, data in (("approve", {}), ("reject", {"reason": "spam"}), ("escalate", {"team": "legal"})):
        assert client.post(f"/drafts/{draft}/{action}", data=data).status_code == 403
    assert client.post(f"/drafts/{draft}/approve", data={}, headers={"x-csrf-token": "forged"}).status_code == 403
    assert _status(engine, draft) == "pending"
    # Logging out is a POST too.
    assert client.post("/logout").status_code == 403
    assert client.get("/").status_code == 200


def test_marketing_reads_reports_but_cannot_act(engine, served, client_for):
    _, seeded = served
    client = client_for("mark")
    assert client.get("/").headers["location"] == "/reports"
    reports = client.get("/reports")
    assert reports.status_code == 200 and "Mentions by sentiment" in reports.text
    assert client.get(f"/mentions/{seeded.mentions['praise']}").status_code == 403
    assert client.get("/export/corrections.jsonl").status_code == 403
    response = post(client, f"/drafts/{seeded.drafts['praise']}/approve", page="/reports")
    assert response.status_code == 403 and "does not allow" in response.text
    assert _status(engine, seeded.drafts["praise"]) == "pending"


def test_only_admins_see_the_user_list(client_for):
    assert client_for("alice").get("/admin/users").status_code == 403
    page = client_for("root").get("/admin/users")
    assert page.status_code == 200 and all(name in page.text for name in ("alice", "mark", "root"))


def test_hostile_mention_renders_as_literal_text(served, client_for):
    _, seeded = served
    client = client_for("alice")
    for page in (client.get("/").text, client.get(f"/mentions/{seeded.mentions['hostile']}").text):
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert html.escape(HOSTILE_TEXT, quote=False) in page  # the text itself, {{ 7*7 }} unevaluated
    mention = client.get(f"/mentions/{seeded.mentions['hostile']}").text
    assert '<b>{{ 7*7 }}</b> on <span title="source reddit-nokia">Reddit</span>' in mention  # author, not 49
    assert "javascript:" not in mention  # an unsafe URL is not offered as a link
    assert 'href="https://example.com/praise" target="_blank" rel="noopener noreferrer"' in \
        client.get(f"/mentions/{seeded.mentions['praise']}").text


def test_security_headers_and_session_cookie(client_for):
    client = client_for()
    response = client.get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_login_never_redirects_off_site(client_for):
    client = client_for()
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token,
                                           "next": "//evil.example/phish"})
    assert response.headers["location"] == "/"


def test_session_secret_is_generated_once_outside_the_repo(tmp_path, monkeypatch):
    monkeypatch.delenv("CARELOOP_SECRET_KEY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    first = secret_key()
    path = tmp_path / "careloop" / "secret_key"
    assert len(first) >= 40 and path.read_text().strip() == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert secret_key() == first  # the next start (or another worker) reads the same key
    monkeypatch.setenv("CARELOOP_SECRET_KEY", "from-the-environment")
    assert secret_key() == "from-the-environment"
