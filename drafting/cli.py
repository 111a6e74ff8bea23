"""`careloop draft` and `careloop corrections export`. The lead's CLI calls `register(root)`."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from careloop.context import ConfigOption, config_and_engine

corrections_app = typer.Typer(help="Agents' sentiment corrections.", no_args_is_help=True)


def draft_command(config: Optional[Path] = ConfigOption) -> None:
    """Draft replies for every scored mention that has no draft yet (safe to run again)."""
    from .pipeline import draft_stage

    loaded, engine = config_and_engine(config)
    counts = draft_stage(engine, loaded)
    typer.echo(f"{counts['drafted']} drafted, {counts['flagged']} drafted with failed checks, "
               f"{counts['no_reply_needed']} need no reply, {counts['waiting_for_sentiment']} waiting for sentiment")


@corrections_app.command("export")
def export_command(config: Optional[Path] = ConfigOption,
                   out: Optional[Path] = typer.Option(None, "--out", "-o", help="JSONL file (default: standard output)")) -> None:
    """Corrected labels as JSONL (text, label, lang) for `careloop sentiment train --data FILE`."""
    from store.db import session_scope

    from .decisions import export_corrections

    _, engine = config_and_engine(config)
    stream = out.open("w", encoding="utf-8") if out else sys.stdout
    count = 0
    try:
        with session_scope(engine) as session:
            for row in export_corrections(session):
                stream.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    finally:
        if out:
            stream.close()
    if out:
        typer.echo(f"{count} corrections written to {out}", err=True)


def register(root: typer.Typer) -> None:
    root.command("draft")(draft_command)
    root.add_typer(corrections_app, name="corrections")
