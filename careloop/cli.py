"""The `careloop` command: the user's entry point to every stage."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from careloop.config import ConfigError, load_config
from careloop.loop import run_loop
from careloop.stats import collect_stats
from store.db import DatabaseError, connect, session_scope, upgrade

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = REPO_ROOT / "examples" / "careloop.yaml"

app = typer.Typer(
    help="careloop: listen, understand, draft, approve, notify, ask, report.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold credentials
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()
ConfigOption = typer.Option(None, "--config", "-c", help="careloop.yaml (default: $CARELOOP_CONFIG or ./careloop.yaml)")


def _fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(2)


def _engine(config):
    try:
        return connect(config.database_url())
    except DatabaseError as exc:
        _fail(str(exc))


def _load(path):
    try:
        return load_config(path)
    except ConfigError as exc:
        _fail(str(exc))


def _run(config) -> None:
    engine = _engine(config)
    sources = [source for source in config.sources if source.enabled]
    with console.status("fetching…") as status:
        def done(summary):
            status.update(f"fetched {summary.source}")
            colour = {"ok": "green", "warning": "yellow", "failed": "red"}[summary.status]
            console.print(
                f"[{colour}]{summary.status:>7}[/{colour}] {summary.source} ({summary.type}): {summary.fetched} fetched, "
                f"{summary.stored} new, {summary.updated} edited, {summary.duplicates_linked} duplicates linked",
                highlight=False,
            )
            for problem in summary.problems:
                console.print(f"         {problem}", style="dim", highlight=False, markup=False)
        console.print(f"running {len(sources)} sources into {engine.url.render_as_string(hide_password=True)}")
        run_loop(engine, config, on_source_done=done)
    with session_scope(engine) as session:
        _print_summary(collect_stats(session))


def _print_summary(stats: dict) -> None:
    table = Table(title="mentions per source", title_justify="left")
    for column in ("source", "type", "last status", "mentions"):
        table.add_column(column, justify="right" if column == "mentions" else "left")
    for source in stats["sources"]:
        table.add_row(source["name"], source["type"], source["last_status"] or "never run", str(source["mentions"]))
    console.print(table)
    for title, key in (("mentions per source type", "by_source_type"), ("mentions per language", "by_language"), ("mentions per brand", "by_brand")):
        table = Table(title=title, title_justify="left")
        table.add_column(key.removeprefix("by_").replace("_", " "))
        table.add_column("mentions", justify="right")
        for name, count in stats[key].items():
            table.add_row(name, str(count))
        console.print(table)
    console.print(f"{stats['mentions']} distinct mentions, {stats['duplicates_linked']} duplicates linked, {stats['rated']} with a star rating")


@app.command()
def run(config: Optional[Path] = ConfigOption) -> None:
    """Run every configured source once, then the rest of the loop."""
    _run(_load(config))


@app.command()
def demo(fresh: bool = typer.Option(False, "--fresh", help="start from an empty demo database")) -> None:
    """The whole loop on bundled sample data, offline, into a local SQLite file."""
    config = _load(DEMO_CONFIG)
    url = config.database_url()
    if fresh and url.startswith("sqlite:///") and not os.environ.get("CARELOOP_DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    _run(config)
    console.print(f"\ndatabase: {url}")
    console.print(f"again, on the same database: careloop run --config {DEMO_CONFIG.relative_to(Path.cwd()) if DEMO_CONFIG.is_relative_to(Path.cwd()) else DEMO_CONFIG}")


@app.command()
def stats(config: Optional[Path] = ConfigOption, as_json: bool = typer.Option(False, "--json", help="one JSON object")) -> None:
    """What is stored: mentions per source, language, brand; sources and their last run."""
    engine = _engine(_load(config))
    with session_scope(engine) as session:
        summary = collect_stats(session)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, sort_keys=True))
    else:
        _print_summary(summary)


@db_app.command("upgrade")
def db_upgrade(config: Optional[Path] = ConfigOption) -> None:
    """Migrate the database to the newest schema."""
    from store.db import make_engine

    engine = make_engine(_load(config).database_url())
    try:
        revision = upgrade(engine)
    except DatabaseError as exc:
        _fail(str(exc))
    console.print(f"database at schema revision {revision}")


def main() -> None:
    logging.basicConfig(level=os.environ.get("CARELOOP_LOG_LEVEL", "WARNING"), format="%(levelname)s %(name)s: %(message)s")
    app()
