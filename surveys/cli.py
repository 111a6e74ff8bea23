"""`careloop survey send CAMPAIGN [--dry-run]`, `careloop survey run` (what the `surveys` deployment runs) and
`careloop survey list`."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from careloop.context import ConfigOption, config_and_engine, fail

survey_app = typer.Typer(help="Surveys (CSAT, NPS, CES) and review requests: send, run, list.", no_args_is_help=True)


@survey_app.command("send")
def send_command(campaign: str = typer.Argument(..., help="a campaign name under surveys.campaigns"),
                 dry_run: bool = typer.Option(False, "--dry-run", help="print who would get it and who is skipped why; change nothing"),
                 round_: Optional[str] = typer.Option(None, "--round", help="manual campaigns: the occasion (default: today, UTC); "
                                                      "a round is sent once"),
                 config: Optional[Path] = ConfigOption) -> None:
    """Send a campaign's due round now, through the contact policy; every skip printed with its reason."""
    from store.db import session_scope
    from surveys.campaigns import plan_campaign
    from surveys.delivery import deliver_surveys

    loaded, engine = config_and_engine(config)
    try:
        chosen = loaded.surveys.campaign(campaign)
    except KeyError as exc:
        fail(exc.args[0])
    with session_scope(engine) as session:
        plan = plan_campaign(session, loaded, chosen, manual_round=round_, queue=not dry_run)
        if dry_run:
            session.rollback()
    verb = "would get it" if dry_run else "queued"
    for person in plan.people:
        shown = verb if person.status == "queued" else f"skipped ({person.status.removeprefix('skipped_')}): {person.reason}"
        typer.echo(f"{person.round}\t{person.email}\t{shown}")
    if not plan.rounds:
        typer.echo(f"{campaign}: nothing due (this round was sent already)")
    summary = ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in plan.counts().items()) or "no recipients"
    typer.echo(f"{campaign}: {summary}" + (" (dry run: nothing queued)" if dry_run else ""))
    if not dry_run:
        counts = deliver_surveys(engine, loaded)
        typer.echo("delivered: " + ", ".join(f"{count} {name}" for name, count in counts.items()))


@survey_app.command("run")
def run_command(config: Optional[Path] = ConfigOption) -> None:
    """Queue what automatic campaigns have due, deliver survey e-mails, score new comments."""
    from surveys.delivery import run_surveys

    loaded, engine = config_and_engine(config)
    result = run_surveys(engine, loaded)
    for name, counts in result["queued"].items():
        typer.echo(f"{name}: " + (", ".join(f"{count} {status}" for status, count in counts.items()) or "nothing due"))
    typer.echo("delivered: " + ", ".join(f"{count} {name}" for name, count in result["delivered"].items()))
    typer.echo(f"comments scored: {result['comments_scored']}")


@survey_app.command("list")
def list_command(config: Optional[Path] = ConfigOption) -> None:
    """Every campaign: trigger, survey, sends by status, answers."""
    from store.db import session_scope
    from surveys.stats import campaign_counts

    loaded, engine = config_and_engine(config)
    with session_scope(engine) as session:
        counts = campaign_counts(session)
    for campaign in loaded.surveys.campaigns:
        shown = ", ".join(f"{n} {status}" for status, n in sorted(counts.get(campaign.name, {}).items())) or "nothing sent"
        typer.echo(f"{campaign.name}\t{campaign.trigger}\t{campaign.survey}\t{shown}")


def register(root: typer.Typer) -> None:
    root.add_typer(survey_app, name="survey")
