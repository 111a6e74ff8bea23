"""Inbox sessions live on the server: logout, a password change and disabling a user end them, so a copied
cookie replayed afterwards opens nothing. On SQLite and PostgreSQL, against the real app under uvicorn."""
from __future__ import annotations

import httpx
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from inbox.cli import register
from store.db import session_scope
from store.models import SentimentCorrection

from .conftest import csrf_of, login


def _stolen(client: httpx.Client, page: str = "/") -> tuple[dict, str]:
    """What an attacker copies from a signed-in browser: the cookie and a page's CSRF token."""
    return dict(client.cookies), csrf_of(client.get(page).text)


def _replay(server, stolen: tuple[dict, str], mention_id: int) -> tuple[int, int]:
    cookies, token = stolen
    with httpx.Client(base_url=server.url, cookies=cookies) as replay:
        page = replay.get("/").status_code
        correction = replay.post(f"/mentions/{mention_id}/sentiment", data={"label": "positive", "csrf_token": token})
    return page, correction.status_code


def _corrections(engine) -> list[str]:
    with session_scope(engine) as session:
        return list(session.scalars(select(SentimentCorrection.corrected_by)))


def test_a_cookie_replayed_after_logout_opens_nothing(engine, served, client_for):
    server, seeded = served
    alice = client_for("alice")
    stolen = _stolen(alice, f"/mentions/{seeded.mentions['restart']}")
    assert _replay(server, stolen, seeded.mentions["restart"]) == (200, 303)  # works while she is signed in
    assert _corrections(engine) == ["alice"]

    assert alice.post("/logout", data={"csrf_token": stolen[1]}).status_code == 303

    page, correction = _replay(server, stolen, seeded.mentions["praise"])
    assert page == 303 and correction in (303, 403)  # to the login page, nothing done
    assert _corrections(engine) == ["alice"]


def test_passwd_and_disable_end_every_session_and_enable_lets_the_user_back(db_url, engine, served, client_for, tmp_path):
    server, _ = served
    config = tmp_path / "careloop.yaml"
    config.write_text(f"database: {db_url}\nbrands:\n  - name: Nokia\n    keywords: [nokia]\n", encoding="utf-8")
    root = typer.Typer()
    root.command("version")(lambda: None)
    register(root)

    def careloop(*args: str, password: str | None = None):
        result = CliRunner().invoke(root, ["user", *args, "--config", str(config)], input=password)
        return result.exit_code, result.output

    laptop, phone = client_for("alice"), client_for("alice")
    assert careloop("passwd", "alice", "--password-stdin", password="a new long password\n") == (
        0, "password of alice changed; 2 session(s) ended\n")
    assert laptop.get("/").status_code == phone.get("/").status_code == 303
    assert login(client_for(), "alice").status_code == 401  # the old password is gone
    assert login(laptop, "alice", "a new long password").status_code == 303

    assert careloop("disable", "alice") == (0, "user alice disabled; 1 session(s) ended\n")
    assert laptop.get("/").status_code == 303
    assert login(laptop, "alice", "a new long password").status_code == 401
    assert careloop("enable", "alice")[0] == 0
    assert login(laptop, "alice", "a new long password").status_code == 303 and laptop.get("/").status_code == 200

    assert careloop("disable", "nobody") == (2, "error: no user 'nobody' (see `careloop user add`)\n")
    assert careloop("passwd", "alice", "--password-stdin", password="short\n")[0] == 2
