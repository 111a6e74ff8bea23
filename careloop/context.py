"""What every command starts from: the validated configuration and a migrated database.

Bad input ends the command with a clear message (exit status 2), never a traceback.
"""
from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import Engine

from careloop.config import Config, ConfigError, load_config
from store.db import DatabaseError, connect

ConfigOption = typer.Option(None, "--config", "-c", help="careloop.yaml (default: $CARELOOP_CONFIG or ./careloop.yaml)")


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def open_config(path: Path | None) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        fail(str(exc))


def open_store(config: Config) -> Engine:
    try:
        return connect(config.database_url())
    except DatabaseError as exc:
        fail(str(exc))


def config_and_engine(path: Path | None) -> tuple[Config, Engine]:
    config = open_config(path)
    return config, open_store(config)
