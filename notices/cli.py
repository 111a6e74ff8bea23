"""`careloop issue open|update|resolve|list` and `careloop notices list|approve|send`."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from careloop.context import ConfigOption, config_and_engine, fail

issue_app = typer.Typer(help="Known issues: open, update, resolve, list.", no_args_is_help=True)
notices_app = typer.Typer(help="Notice campaigns: list, approve, send what is due.", no_args_is_help=True)
NoteOption = typer.Option(None, "--note", help="public note as LANG=TEXT, e.g. --note 'en=Update 4.2 fixes it' (repeat per language)")
ActorOption = typer.Option("cli", "--as", help="who does it (audit)")


def _notes(values: list[str] | None) -> dict[str, str]:
    notes = {}
    for value in values or []:
        language, sep, text = value.partition("=")
        if not sep or len(language.strip()) != 2:
            fail(f"--note {value!r}: expected LANG=TEXT, e.g. en=We are on it")
        notes[language.strip().lower()] = text
    return notes


def _keywords(value: str) -> dict[str, list[str]]:
    from notices.issues import parse_keywords

    return parse_keywords(value.replace(";", "\n"))


def _print_reach(session, config, issue) -> None:
    from notices.issues import reach

    found = reach(session, config, issue)
    languages = ", ".join(f"{language} {count}" for language, count in found.contacts_by_language.items()) or "none"
    typer.echo(f"{issue.key} ({issue.status}): {found.mentions_7d} mentions match it in the last 7 days; "
               f"audience: {found.contacts} contacts ({languages})")


def _run(config_path, act):
    from store.db import session_scope
    from store.issues import IssueError

    config, engine = config_and_engine(config_path)
    try:
        with session_scope(engine) as session:
            return act(session, config)
    except IssueError as exc:
        fail(str(exc))


@issue_app.command("open")
def open_command(title: str = typer.Option(..., help="what is broken, as customers would say it"),
                 keywords: str = typer.Option(..., help="word beginnings, comma-separated; 'cs: restart; en: reboot' per language"),
                 note: Optional[List[str]] = NoteOption, key: Optional[str] = typer.Option(None, help="default: a slug of the title"),
                 brand: Optional[str] = None, products: str = typer.Option("", help="comma-separated"),
                 audience: Optional[str] = typer.Option(None, help='rule over contact attributes, e.g. platform == "android"'),
                 link: Optional[str] = None, status: str = "investigating", actor: str = ActorOption,
                 config: Optional[Path] = ConfigOption) -> None:
    """Open a known issue; its notice campaign waits for a manager's approval."""
    from notices.issues import open_known_issue

    def act(session, loaded):
        issue = open_known_issue(session, loaded, title=title, actor=actor, keywords=_keywords(keywords), notes=_notes(note),
                                 status=status, key=key, origin="cli", brand=brand,
                                 products=[p.strip() for p in products.split(",") if p.strip()], audience=audience, link=link)
        _print_reach(session, loaded, issue)
    _run(config, act)


@issue_app.command("update")
def update_command(key: str, status: Optional[str] = typer.Option(None, help="investigating, identified, monitoring, resolved"),
                   note: Optional[List[str]] = NoteOption, title: Optional[str] = None, keywords: Optional[str] = None,
                   audience: Optional[str] = None, link: Optional[str] = None, actor: str = ActorOption,
                   config: Optional[Path] = ConfigOption) -> None:
    """Change an issue's fields and/or status (a new status creates its notice campaign)."""
    from notices.issues import change_status, update_known_issue
    from store.issues import issue_by_key

    fields = {name: value for name, value in {"title": title, "audience": audience, "link": link}.items() if value is not None}
    if keywords is not None:
        fields["keywords"] = _keywords(keywords)

    def act(session, loaded):
        if fields:
            update_known_issue(session, loaded, key, actor, **fields)
        if status:
            change_status(session, loaded, key, status, actor, _notes(note))
        _print_reach(session, loaded, issue_by_key(session, key))
    _run(config, act)


@issue_app.command("resolve")
def resolve_command(key: str, note: Optional[List[str]] = NoteOption, actor: str = ActorOption,
                    config: Optional[Path] = ConfigOption) -> None:
    """Resolve an issue: its resolution notice awaits approval; answered threads get follow-up drafts."""
    from notices.issues import change_status

    _run(config, lambda session, loaded: change_status(session, loaded, key, "resolved", actor, _notes(note)))
    typer.echo(f"{key} resolved: approve its notice in the inbox (Known issues) or with careloop notices approve")


@issue_app.command("detect")
def detect_command(config: Optional[Path] = ConfigOption) -> None:
    """Find bursts of negative mentions no known issue covers and propose them (what the emerging deployment does);
    print the possible issues awaiting a manager (the inbox's Known issues page accepts or dismisses them)."""
    from reports.emerging import propose, proposed

    def act(session, loaded):
        counts = propose(session, loaded)
        typer.echo(f"{counts['proposed']} new possible issues, {counts['updated']} still growing")
        for row in proposed(session):
            typer.echo(f"{row.id}\t{row.brand}\t{len(row.mention_ids)} mentions (usual {row.expected:.1f})\t{row.title}")
    _run(config, act)


@issue_app.command("list")
def list_command(config: Optional[Path] = ConfigOption) -> None:
    """Every known issue: key, status, brand, where it is declared, title."""
    from notices.issues import issues

    def act(session, loaded):
        for issue in issues(session, loaded):
            typer.echo(f"{issue.key}\t{issue.status}\t{issue.brand or 'any'}\t{issue.origin}\t{issue.title}")
    _run(config, act)


@notices_app.command("list")
def notices_list(config: Optional[Path] = ConfigOption) -> None:
    """Notice campaigns: id, issue, stage, status, and what was queued."""
    from sqlalchemy import select

    from store.models import NoticeCampaign

    def act(session, loaded):
        for campaign in session.scalars(select(NoticeCampaign).order_by(NoticeCampaign.id)):
            queued = ", ".join(f"{status} {count}" for status, count in sorted(campaign.queued.items()))
            typer.echo(f"#{campaign.id}\t{campaign.issue.key}\t{campaign.stage}\t{campaign.status}\t{queued}")
    _run(config, act)


@notices_app.command("approve")
def notices_approve(campaign_id: int, actor: str = ActorOption, config: Optional[Path] = ConfigOption) -> None:
    """Approve a campaign (audited): its notices are queued, each skip recorded with its reason."""
    from notices.campaigns import approve

    counts = _run(config, lambda session, loaded: approve(session, loaded, campaign_id, actor))
    typer.echo(", ".join(f"{count} {status}" for status, count in sorted(counts.items())) or "no recipients")


@notices_app.command("send")
def notices_send(config: Optional[Path] = ConfigOption) -> None:
    """Send every approved notice that is due (what the `notices` deployment runs)."""
    from notices.delivery import send_notices

    loaded, engine = config_and_engine(config)
    counts = send_notices(engine, loaded)
    typer.echo(", ".join(f"{count} {name}" for name, count in counts.items()))
    if counts["failed"]:
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    root.add_typer(issue_app, name="issue")
    root.add_typer(notices_app, name="notices")
