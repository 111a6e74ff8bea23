"""What a stage declares about itself, in one place (`<stage>/stage.py`): its CLI commands, its `stats --json`
section, its web routes and its Prefect deployments. The roof (careloop/stages.py) lists the stages once, in loop
order, and wires every declaration from that list: the `careloop` command, `careloop stats`, the web application,
`careloop schedule` (and a test holds prefect.yaml to the same list).

Routes are given as functions that import them when called: every `careloop` command reads the stage list,
and importing FastAPI's routers costs ~0.3 s a command that serves no page should not pay.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter
    from sqlalchemy.orm import Session, sessionmaker

    from careloop.config import Config


@dataclass(frozen=True)
class Deployment:
    """One Prefect deployment of a stage. prefect.yaml declares it under `name` (tests/test_layers.py holds the
    two together); `careloop schedule` serves it as "schedule-<name>" on careloop.yaml's `schedules.<name>`."""

    name: str
    entrypoint: str  # as prefect.yaml writes it: "flows/score_flow.py:score_flow"
    # A run due while the previous one is busy is cancelled (a second would only wait on the first); stages that
    # share their work by claimed batches (score, draft) run side by side instead.
    one_at_a_time: bool = True
    # prefect.yaml has one deployment per source type ("ingest-reddit"), `careloop schedule` one per configured
    # source, on that source's own `schedule`.
    per_source: bool = False


@dataclass(frozen=True)
class Stage:
    name: str
    cli: Callable[[typer.Typer], None] | None = None  # adds the stage's commands to the `careloop` command
    stats: Callable[[Session], dict] | None = None  # the stage's keys of `careloop stats --json`
    routers: Callable[[], Sequence[APIRouter]] | None = None  # pages behind the inbox's login
    # Routes under /public (no login): each a function of (sessionmaker, Config | None) returning a router.
    public_routes: Callable[[], Sequence[Callable[[sessionmaker, Config | None], APIRouter]]] | None = None
    deployments: Sequence[Deployment] = field(default_factory=tuple)
