"""`careloop user add|passwd|disable|enable`; the roof's CLI calls `register(root)`. (`careloop serve` serves every
stage's pages, so it lives in the roof: careloop/webapp.py.)"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from careloop.context import ConfigOption, config_and_engine

user_app = typer.Typer(help="Inbox users.", no_args_is_help=True)


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
    root.add_typer(user_app, name="user")
