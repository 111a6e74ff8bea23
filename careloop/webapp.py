"""The web application of every stage: the inbox with the pages and public routes each stage declares
(careloop/stage.py), wired from the one stage list (careloop/stages.py), and `careloop serve`, which serves it.

Part of the roof: stages that add pages (reports, notices, surveys) sit above the inbox, so the inbox cannot
import them; this module, which nothing imports, hands their routers to `inbox.app.create_app`.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from careloop.config import Config, load_config
from careloop.context import ConfigOption, config_and_engine
from careloop.stages import STAGES

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy import Engine


def _routers() -> list:
    return [router for stage in STAGES if stage.routers for router in stage.routers()]


def _public_routes() -> list:
    return [route for stage in STAGES if stage.public_routes for route in stage.public_routes()]


def create_app(engine: Engine, config: Config | None = None, *, session_secret: str | None = None) -> FastAPI:
    """The agents' inbox with every stage's pages, and /public."""
    from inbox.app import create_app as create_inbox

    return create_inbox(engine, config, session_secret=session_secret, routers=_routers(),
                        public_routes=_public_routes())


def create_public_only_app(engine: Engine, config: Config | None = None) -> FastAPI:
    """Only /public, with every stage's public routes: `careloop serve --public-only`."""
    from inbox.app import create_public_only_app as create_public

    return create_public(engine, config, _public_routes())


def app_from_environment() -> FastAPI:
    """uvicorn factory (`careloop serve`, several workers): config from CARELOOP_CONFIG, database from
    CARELOOP_DATABASE_URL or the config."""
    from store.db import connect

    config = load_config() if os.environ.get("CARELOOP_CONFIG") else None
    url = config.database_url() if config else os.environ["CARELOOP_DATABASE_URL"]
    if os.environ.get("CARELOOP_PUBLIC_ONLY") == "1":
        return create_public_only_app(connect(url), config)
    return create_app(connect(url), config)


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
    uvicorn.run("careloop.webapp:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning", proxy_headers=False)
