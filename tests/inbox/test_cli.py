"""`careloop user add` as registered on the root command: the user it creates can log in to the served inbox."""
from __future__ import annotations

import httpx
import typer
from typer.testing import CliRunner

from careloop.webapp import create_app
from inbox.cli import register
from store.db import connect

from .conftest import LiveServer, login


def test_user_add_creates_a_login_and_refuses_bad_input(tmp_path):
    database = tmp_path / "careloop.db"
    config = tmp_path / "careloop.yaml"
    config.write_text(f"database: sqlite:///{database}\nbrands:\n  - name: Nokia\n    keywords: [nokia]\n", encoding="utf-8")
    root = typer.Typer()
    root.command("version")(lambda: None)  # a root with more than one command, as careloop's is
    register(root)
    runner = CliRunner()

    def add(*args: str, password: str = "s3cret-enough\n"):
        return runner.invoke(root, ["user", "add", *args, "--password-stdin", "--config", str(config)], input=password)

    assert add("petra", "--role", "agent").exit_code == 0
    assert add("petra", "--role", "agent").exit_code == 2  # exists already
    assert add("olga", "--role", "owner").exit_code == 2
    assert add("olga", "--role", "agent", password="short\n").exit_code == 2

    server = LiveServer(create_app(connect(f"sqlite:///{database}"), session_secret="cli-test-" + "y" * 32))
    try:
        with httpx.Client(base_url=server.url) as client:
            assert login(client, "petra", "s3cret-enough").status_code == 303
            assert login(client, "olga", "short").status_code == 401
    finally:
        server.close()
        connect.cache_clear()
