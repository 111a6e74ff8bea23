"""What every command starts from: the validated configuration and a migrated database.

Bad input ends the command with a clear message (exit status 2), never a traceback.
"""
from __future__ import annotations

import os
from pathlib import Path

import typer
from sqlalchemy import Engine

from careloop.config import Config, ConfigError, config_path, load_config
from store.db import DatabaseError, connect

ConfigOption = typer.Option(None, "--config", "-c", help="careloop.yaml (default: $CARELOOP_CONFIG or ./careloop.yaml)")
REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = REPO_ROOT / "examples" / "careloop.yaml"
DEMO_DATABASE = REPO_ROOT / "var" / "careloop-demo.db"  # where DEMO_CONFIG's `database:` points


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def open_config(path: Path | None, demo_fallback: bool = False) -> Config:
    """The configuration `path` names, or the one the lookup order finds ($CARELOOP_CONFIG, ./careloop.yaml).
    With `demo_fallback` (commands that look at what is stored: stats, serve, users), when the lookup finds
    nothing and the demo database of `make demo` is right here, the demo configuration is used — said on
    stderr, so a production setup never falls back silently."""
    if demo_fallback and _only_the_demo_is_here(path):
        shown = DEMO_CONFIG.relative_to(Path.cwd()) if DEMO_CONFIG.is_relative_to(Path.cwd()) else DEMO_CONFIG
        typer.echo(f"no careloop.yaml found (--config, $CARELOOP_CONFIG, ./careloop.yaml): using the demo "
                   f"configuration {shown}", err=True)
        path = DEMO_CONFIG
    try:
        return load_config(path)
    except ConfigError as exc:
        fail(str(exc))


def _only_the_demo_is_here(path: Path | None) -> bool:
    if path is not None or os.environ.get("CARELOOP_CONFIG") or config_path(None).exists():
        return False
    here = Path.cwd() / "var" / "careloop-demo.db"
    return here.exists() and here.resolve() == DEMO_DATABASE


def open_store(config: Config) -> Engine:
    try:
        return connect(config.database_url())
    except DatabaseError as exc:
        fail(str(exc))


def config_and_engine(path: Path | None, demo_fallback: bool = False) -> tuple[Config, Engine]:
    config = open_config(path, demo_fallback)
    return config, open_store(config)
