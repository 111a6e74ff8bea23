"""`careloop digest` and `careloop kpi`: a digest built by hand, written to files and optionally sent. The CLI calls `register(root)`."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

import typer

from careloop.context import ConfigOption, config_and_engine, fail


def digest_command(
    brand: Optional[list[str]] = typer.Option(None, "--brand", "-b", help="a configured brand (repeat for several; none: all brands)"),
    period: str = typer.Option("7d", "--period", help="length in whole local days or weeks: 1d, 7d, 2w, 30d"),
    until: Optional[str] = typer.Option(None, "--until", help="last day of the period, YYYY-MM-DD (default: today in reports.timezone)"),
    out: Optional[Path] = typer.Option(None, "--out", help="write <name>.html, .txt and the PNG charts into this folder"),
    send: bool = typer.Option(False, "--send", help="e-mail it to the subscribers of the configured digests of these brands"),
    language: str = typer.Option("en", "--language", help="en, cs, sk or ru"),
    rebuild: bool = typer.Option(False, "--rebuild", help="recompute the daily rollup from every mention first"),
    config: Optional[Path] = ConfigOption,
) -> None:
    """Build a digest by hand: volume, sentiment, share of voice, top mentions and terms of a period."""
    from .pipeline import digest_by_hand
    from .render import LANGUAGES

    loaded, engine = config_and_engine(config)
    if language not in LANGUAGES:
        fail(f"--language {language!r}: expected one of {list(LANGUAGES)}")
    brands, days, last_day = _selection(loaded, brand, period, until, "period")
    built = digest_by_hand(engine, loaded, brands, days, last_day, language=language, rebuild=rebuild)
    typer.echo(summary_lines(built.figures))
    if out is not None:
        for path in built.write(out):
            typer.echo(f"wrote {path}")
    if send:
        from .delivery import send_by_hand

        try:
            queued = send_by_hand(engine, loaded, built, brands)
        except LookupError as error:
            fail(str(error))
        typer.echo(f"queued for {queued} subscriber(s) in the outbox (a digest already sent is not sent again)")


def summary_lines(figures: dict) -> str:
    from .render import change, percent

    volume, negative = figures["volume"], figures["negative_share"]
    lines = [f"{', '.join(figures['brands']) or 'all brands'} · {figures['period']['label']} ({figures['period']['timezone']})",
             f"mentions: {volume['current']} ({change(volume)} against {figures['previous_period']['label']})",
             f"negative share: {percent(negative['current'])} (usual {percent(negative['usual'])})"]
    for entry in figures["terms"]["negative"][:3]:
        lines.append(f"negative terms ({entry['language']}): " + ", ".join(term["term"] for term in entry["terms"][:6]))
    return "\n".join(lines)


def kpi_command(
    as_json: bool = typer.Option(False, "--json", help="machine-readable: the KPI keys (null where there is no data)"),
    brand: Optional[list[str]] = typer.Option(None, "--brand", "-b", help="a configured brand (repeat for several; none: all)"),
    since: str = typer.Option("90d", "--since", help="period length in whole days or weeks ending on --until: 7d, 2w, 90d"),
    until: Optional[str] = typer.Option(None, "--until", help="last day, YYYY-MM-DD (default: today in reports.timezone)"),
    by: Optional[str] = typer.Option(None, "--by", help="break down by language, source, campaign or a contact attribute"),
    config: Optional[Path] = ConfigOption,
) -> None:
    """Care KPIs from stored data: CSAT, NPS, CES, survey response rate, first and average response time, FCR, SLA."""
    import json

    from store.db import session_scope

    from .kpis import KPI_KEYS, kpis
    from .periods import Period

    loaded, engine = config_and_engine(config)
    if by is not None and not by.replace("_", "").isalnum():
        fail(f"--by {by!r}: expected language, source, campaign or a contact attribute name")
    brands, days, last_day = _selection(loaded, brand, since, until, "since")
    period = Period(last_day - timedelta(days=days - 1), last_day + timedelta(days=1), loaded.reports.timezone)
    with session_scope(engine) as session:
        result = kpis(session, loaded, brands, period, by)
    if as_json:
        typer.echo(json.dumps(result, indent=2, sort_keys=False))
        return
    rows = {"all": result} if by is None else {"all": result["all"], **result["by"]}
    typer.echo(f"{period.start} … {period.end - timedelta(days=1)} ({loaded.reports.timezone})")
    typer.echo("\t".join(["", *KPI_KEYS]))
    for name, values in rows.items():
        typer.echo("\t".join([name, *("–" if values[key] is None else f"{values[key]:g}" for key in KPI_KEYS)]))


def _selection(loaded, brand: list[str] | None, length: str, until: str | None, length_option: str):
    """(brands, days, last day) from the command line, or a one-line error naming the option."""
    from store.models import utcnow

    from .periods import PeriodError, parse_length, parse_until

    brands = list(brand or [])
    unknown = [name for name in brands if name not in {b.name for b in loaded.brands}]
    if unknown:
        fail(f"--brand {unknown[0]!r} is not among the brands of {loaded.path}: {[b.name for b in loaded.brands]}")
    try:
        return brands, parse_length(length), parse_until(until, ZoneInfo(loaded.reports.timezone), utcnow())
    except PeriodError as error:
        fail(str(error).replace("period ", f"--{length_option} ", 1))


def register(root: typer.Typer) -> None:
    root.command("digest")(digest_command)
    root.command("kpi")(kpi_command)
