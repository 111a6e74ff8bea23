"""The `careloop` command: the user's entry point to every stage."""
from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from careloop.context import DEMO_CONFIG, DEMO_DATABASE, ConfigOption, fail, open_config, open_store
from careloop.progress import ProgressLines
from careloop.stages import STAGES
from careloop.stats import collect_stats
from careloop.webapp import serve
from store.db import DatabaseError, database_problem, engines_made, session_scope, upgrade

app = typer.Typer(
    help="careloop: listen, understand, draft, approve, notify, ask, report.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold credentials
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()


def _run(config) -> None:
    from careloop.loop import run_loop

    engine = open_store(config)
    sources = [source for source in config.sources if source.enabled]
    console.print(f"running {len(sources)} sources into {engine.url.render_as_string(hide_password=True)}")
    with _stage_display() as (show_stage, progress):
        def on_stage(stage, result):
            if stage == "source":
                _print_source(result)
            else:
                show_stage(stage)
        report = run_loop(engine, config, on_stage=on_stage, progress=progress)
    drafts = report.drafts
    console.print(
        f"sentiment: {report.scored} mentions scored\n"
        f"drafts: {drafts['drafted']} drafted, {drafts['flagged']} drafted with failed checks, "
        f"{drafts['no_reply_needed']} need no reply\n"
        f"published: {report.published['sent']} sent, {report.published['failed']} failed",
        highlight=False,
    )
    with session_scope(engine) as session:
        _print_summary(collect_stats(session, config))


@contextmanager
def _stage_display():
    """On a terminal a spinner names the stage and its progress; in a log (not a terminal) a spinner shows
    nothing, so long stages print a line every 10 s ($CARELOOP_PROGRESS_SECONDS) instead: done/total, rate, ETA."""
    if console.is_terminal:
        with console.status("fetching…") as status:
            yield (lambda stage: status.update(f"{stage}…"),
                   lambda stage, done, total: status.update(f"{stage}: {done:,}/{total:,}…"))
        return
    lines: dict[str, ProgressLines] = {}
    interval = float(os.environ.get("CARELOOP_PROGRESS_SECONDS", 10))

    def progress(stage: str, done: int, total: int) -> None:
        lines.setdefault(stage, ProgressLines(stage, lambda line: console.print(line, highlight=False), interval))(done, total)

    yield (lambda stage: None), progress


def _print_source(summary) -> None:
    colour = {"ok": "green", "warning": "yellow", "failed": "red"}[summary.status]
    console.print(
        f"[{colour}]{summary.status:>7}[/{colour}] {summary.source} ({summary.type}): {summary.fetched} fetched, "
        f"{summary.stored} new, {summary.updated} edited, {summary.duplicates_linked} duplicates linked"
        + (f", {summary.continued} continuing a conversation" if summary.continued else "")
        + (f", {summary.rejected} rejected" if summary.rejected else ""),
        highlight=False,
    )
    for problem in summary.problems:
        console.print(f"         {problem}", style="dim", highlight=False, markup=False)


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
    for stale in stats.get("stale_sources", []):
        console.print(f"[yellow]stale:[/yellow] {stale['name']} has not succeeded for {stale['silent_for']} "
                      f"(stale after {stale['stale_after']}): {stale['last_error'] or 'no error recorded'}",
                      highlight=False)


@app.command()
def run(config: Optional[Path] = ConfigOption) -> None:
    """Run every configured source once, then the rest of the loop."""
    _run(open_config(config))


@app.command()
def demo(fresh: bool = typer.Option(False, "--fresh", help="start from an empty demo database")) -> None:
    """The whole loop on bundled sample data, offline, into a local SQLite file."""
    from inbox.users import ensure_demo_user

    config = open_config(DEMO_CONFIG)
    url = config.database_url()
    if fresh and url.startswith("sqlite:///") and not os.environ.get("CARELOOP_DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    _run(config)
    _demo_store_replies(config)
    _demo_notices(config)
    _demo_surveys(config)
    _demo_digests(config, url)
    with session_scope(open_store(config)) as session:
        credentials = ensure_demo_user(session)
        manager = ensure_demo_user(session, "demo-manager", "manager", email="manager@example.com")
    shown = DEMO_CONFIG.relative_to(Path.cwd()) if DEMO_CONFIG.is_relative_to(Path.cwd()) else DEMO_CONFIG
    console.print(f"\ndatabase: {url}", highlight=False)
    console.print(f"again, on the same database: careloop run --config {shown}", highlight=False)
    console.print(f"agents' inbox: careloop serve --config {shown}   then open http://127.0.0.1:8000/", highlight=False)
    for login in (credentials, manager):
        if login:
            console.print(f"demo login (shown only this once): {login[0]} / {login[1]}", highlight=False, markup=False)


def _demo_store_replies(config) -> None:
    from publishing.demo import run_demo_store_replies

    result = run_demo_store_replies(open_store(config), config)
    console.print(f"store replies: {result['approved']} approved by the demo agent, {result['published']['sent']} "
                  f"posted to the loopback Google Play and App Store Connect APIs", highlight=False)


def _demo_notices(config) -> None:
    from notices.demo import run_demo_notices

    result = run_demo_notices(open_store(config), config, DEMO_CONFIG.parent / "data" / "contacts")
    skipped = ", ".join(f"{count} {status.removeprefix('skipped_')}" for status, count in sorted(result.approved.items())
                        if status.startswith("skipped_")) or "none"
    console.print(f"contacts: {result.contacts_added} imported\n"
                  f"notices: {result.delivered['sent']} sent to the local SMTP sink ({result.received} received)"
                  + (f", skipped by reason: {skipped}" if result.approved else ", nothing new to send"), highlight=False)


def _demo_surveys(config) -> None:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from reports.kpis import KPI_KEYS, kpis
    from reports.periods import Period, local_day
    from store.models import utcnow
    from surveys.demo import run_demo_surveys

    engine = open_store(config)
    result = run_demo_surveys(engine, config)
    for name, counts in result.planned.items():
        shown = ", ".join(f"{count} {status.replace('skipped_', 'skipped: ')}" for status, count in counts.items())
        console.print(f"survey {name}: {shown or 'sent already, nothing new'}", highlight=False)
    console.print(f"surveys: {result.delivered.get('sent', 0)} e-mailed to the local SMTP sink; {result.answered} answered "
                  f"by following their one-click links over HTTP ({result.commented} with a comment); "
                  f"{result.follow_ups} follow-ups in the agents' queue", highlight=False)
    today = local_day(utcnow(), ZoneInfo(config.reports.timezone))
    with session_scope(engine) as session:
        figures = kpis(session, config, [], Period(today - timedelta(days=89), today + timedelta(days=1), config.reports.timezone))
    console.print("KPIs, last 90 days: " + ", ".join(f"{key} {'–' if figures[key] is None else f'{figures[key]:g}'}"
                                                    for key in KPI_KEYS), highlight=False)


def _demo_digests(config, url: str) -> None:
    """Each configured digest into var/digests/ beside the demo database, and to a loopback SMTP server."""
    from reports.pipeline import demo_digests

    folder = Path(url.removeprefix("sqlite:///")).parent if url.startswith("sqlite:///") else DEMO_DATABASE.parent
    result = demo_digests(open_store(config), config, folder / "digests")
    shown = folder / "digests"
    shown = shown.relative_to(Path.cwd()) if shown.is_relative_to(Path.cwd()) else shown
    console.print(f"digests: {len([p for p in result['written'] if p.suffix == '.html'])} written to {shown}/, "
                  f"{result['sent']} e-mailed to the loopback SMTP server at {result['sink']} "
                  f"({result['received']} received)", highlight=False)


@app.command()
def stats(config: Optional[Path] = ConfigOption, as_json: bool = typer.Option(False, "--json", help="one JSON object")) -> None:
    """What is stored: mentions per source, language, brand; sources and their last run."""
    loaded = open_config(config, demo_fallback=True)
    engine = open_store(loaded)
    with session_scope(engine) as session:
        summary = collect_stats(session, loaded)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, sort_keys=True))
    else:
        _print_summary(summary)


@app.command()
def schedule(config: Optional[Path] = ConfigOption,
             limit: int = typer.Option(4, min=1, help="flow runs at once; more wait for a free slot")) -> None:
    """Run every source on its own `schedule` from careloop.yaml (and score, draft, publish) with Prefect."""
    from prefect import serve

    from flows.schedule import source_deployments

    loaded = open_config(config)
    open_store(loaded)  # migrate once, before scheduled runs start side by side
    deployments = source_deployments(loaded)
    console.print(f"serving {len(deployments)} scheduled deployments with Prefect, {limit} runs at a time (Ctrl+C to stop)")
    serve(*deployments, limit=limit)


@db_app.command("upgrade")
def db_upgrade(config: Optional[Path] = ConfigOption) -> None:
    """Migrate the database to the newest schema."""
    from store.db import make_engine

    engine = make_engine(open_config(config).database_url())
    try:
        revision = upgrade(engine)
    except DatabaseError as exc:
        fail(str(exc))
    console.print(f"database at schema revision {revision}")


# Each stage adds its own commands (careloop/stage.py), in loop order; `serve` serves every stage's pages.
app.command("serve")(serve)
for _stage in STAGES:
    if _stage.cli:
        _stage.cli(app)


def main() -> None:
    logging.basicConfig(level=os.environ.get("CARELOOP_LOG_LEVEL", "ERROR"), format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except Exception as error:
        # A locked or unreachable database is an operator's matter, not a traceback (245 lines for a lock).
        problem = next((database_problem(error, url) for url in engines_made()), None)
        if problem is None:
            raise
        typer.echo(f"error: {problem}", err=True)
        sys.exit(3)
