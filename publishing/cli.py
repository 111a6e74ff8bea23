"""`careloop publish` (approved replies out, exactly once) and `careloop outbox list|resend|drop`: what is
waiting, failed or uncertain, and an admin's decision on it."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from careloop.context import ConfigOption, config_and_engine, fail

outbox_app = typer.Typer(help="Outgoing messages: list, resend or drop uncertain ones.", no_args_is_help=True)


def publish_command(config: Optional[Path] = ConfigOption) -> None:
    """Post approved replies where the platform allows (Reddit), exactly once."""
    from .pipeline import publish_pending

    loaded, engine = config_and_engine(config)
    counts = publish_pending(engine, loaded)
    typer.echo(f"{counts['sent']} sent, {counts['recovered']} found already posted, {counts['failed']} failed, "
               f"{counts['retrying']} to retry, {counts['uncertain']} uncertain (careloop outbox list)")
    if counts["failed"]:
        raise typer.Exit(1)


@outbox_app.command("list")
def list_command(status: str = typer.Option("uncertain", help="queued, claimed, sent, failed, uncertain, skipped_… or all"),
                 kind: Optional[str] = typer.Option(None, help="reply, follow_up, notice, digest, alert …"),
                 limit: int = typer.Option(50, min=1), config: Optional[Path] = ConfigOption) -> None:
    """Messages in one status (uncertain by default): id, kind, channel, key, attempts, error."""
    from sqlalchemy import select

    from store.db import session_scope
    from store.models import OutboxMessage

    _, engine = config_and_engine(config)
    query = select(OutboxMessage).order_by(OutboxMessage.id).limit(limit)
    if status != "all":
        query = query.where(OutboxMessage.status == status)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    with session_scope(engine) as session:
        for row in session.scalars(query):
            typer.echo(f"#{row.id}\t{row.status}\t{row.kind}\t{row.channel}\t{row.key}\t{row.attempts}\t{row.error or ''}")


def _decide(decision: str, message_id: int, actor: str, config: Optional[Path]) -> None:
    from publishing import outbox
    from store.db import session_scope

    _, engine = config_and_engine(config)
    try:
        with session_scope(engine) as session:
            getattr(outbox, decision)(session, message_id, actor)
    except LookupError as exc:
        fail(str(exc.args[0]))
    typer.echo(f"outbox message #{message_id}: {'queued again' if decision == 'resend' else 'dropped (failed)'}")


@outbox_app.command("resend")
def resend_command(message_id: int, actor: str = typer.Option("admin", "--as", help="who decided (audit)"),
                   config: Optional[Path] = ConfigOption) -> None:
    """Queue an uncertain or failed message again: the next delivery run sends it."""
    _decide("resend", message_id, actor, config)


@outbox_app.command("drop")
def drop_command(message_id: int, actor: str = typer.Option("admin", "--as", help="who decided (audit)"),
                 config: Optional[Path] = ConfigOption) -> None:
    """Never send this message (again): it is marked failed with who dropped it."""
    _decide("drop", message_id, actor, config)


def register(root: typer.Typer) -> None:
    root.command("publish")(publish_command)
    root.add_typer(outbox_app, name="outbox")
