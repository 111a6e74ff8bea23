"""`careloop serve` and `careloop user add|passwd|disable|enable`. The lead's CLI calls `register(root)`."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from careloop.context import ConfigOption, config_and_engine

user_app = typer.Typer(help="Inbox users.", no_args_is_help=True)


def serve(config: Optional[Path] = ConfigOption,
          host: str = typer.Option("127.0.0.1", help="address to listen on; put a TLS proxy in front for anything but loopback"),
          port: int = typer.Option(8000, help="TCP port"),
          workers: Optional[int] = typer.Option(None, min=1, help="worker processes [default: one per CPU core]"),
          public_only: bool = typer.Option(False, "--public-only", help="serve only /public (unsubscribe, survey answers, bounce reports): no login pages")) -> None:
    """Serve the agents' inbox (queue, decisions, reports, known issues) and the public routes under /public."""
    import uvicorn

    if workers is None:  # a worker runs one request's database work at a time (see inbox.app): one per core
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

    loaded, _ = config_and_engine(config, demo_fallback=True)  # fails early and clearly; migrates the database once
    # Workers are separate processes: they find the configuration through the environment.
    os.environ["CARELOOP_CONFIG"] = str(loaded.path)
    os.environ["CARELOOP_PUBLIC_ONLY"] = "1" if public_only else "0"
    what = "public routes" if public_only else "inbox"
    typer.echo(f"careloop {what} on http://{host}:{port}/{'public/' if public_only else ''} (Ctrl+C to stop)")
    uvicorn.run("inbox.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning", proxy_headers=False)


@user_app.command("add")
def add(name: str = typer.Argument(..., help="login name"),
        role: str = typer.Option(..., "--role", help="agent, marketing, manager or admin"),
        display_name: Optional[str] = typer.Option(None, "--display-name", help="name shown in the inbox"),
        email: Optional[str] = typer.Option(None, "--email", help="the user's address (a manager's test notices go there)"),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from standard input"),
        config: Optional[Path] = ConfigOption) -> None:
    """Create an inbox user with an argon2-hashed password (asked for, or read from standard input)."""
    from .users import add_user

    password = _read_password(password_stdin)
    _with_users(config, lambda session: add_user(session, name, role, password, display_name, email=email))
    typer.echo(f"user {name} ({role}) created")


@user_app.command("passwd")
def passwd(name: str = typer.Argument(..., help="login name"),
           password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from standard input"),
           config: Optional[Path] = ConfigOption) -> None:
    """Set a new password; the user's open inbox sessions end."""
    from .users import set_password

    password = _read_password(password_stdin)
    ended = _with_users(config, lambda session: set_password(session, name, password))
    typer.echo(f"password of {name} changed; {ended} session(s) ended")


@user_app.command("disable")
def disable(name: str = typer.Argument(..., help="login name"), config: Optional[Path] = ConfigOption) -> None:
    """Stop a user from logging in; their open inbox sessions end at once. Their history stays."""
    from .users import set_active

    ended = _with_users(config, lambda session: set_active(session, name, False))
    typer.echo(f"user {name} disabled; {ended} session(s) ended")


@user_app.command("enable")
def enable(name: str = typer.Argument(..., help="login name"), config: Optional[Path] = ConfigOption) -> None:
    """Let a disabled user log in again."""
    from .users import set_active

    _with_users(config, lambda session: set_active(session, name, True))
    typer.echo(f"user {name} enabled")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


def _with_users(config: Optional[Path], change):
    """Run `change(session)` in one transaction; a UserError is a one-line error and exit code 2."""
    from store.db import session_scope

    from .users import UserError

    _, engine = config_and_engine(config, demo_fallback=True)
    try:
        with session_scope(engine) as session:
            return change(session)
    except UserError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def register(root: typer.Typer) -> None:
    root.command("serve")(serve)
    root.add_typer(user_app, name="user")
