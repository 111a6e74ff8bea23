"""`careloop contacts import|export|erase|suppress`."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from careloop.context import ConfigOption, config_and_engine, fail

contacts_app = typer.Typer(help="Contacts: import, export, erase (GDPR), suppression list.", no_args_is_help=True)


def _read(path: Path):
    from .importer import read_text

    try:
        return read_text(path.read_bytes(), str(path))
    except FileNotFoundError:
        fail(f"{path}: file not found")


def _import_file(file: Path, config: Optional[Path], read):
    """read(session, stream, name) in one transaction; a bad file ends the command with its message."""
    from store.db import session_scope

    from .importer import ContactImportError

    stream = _read(file)
    _, engine = config_and_engine(config)
    try:
        with session_scope(engine) as session:
            return read(session, stream, str(file))
    except ContactImportError as exc:
        fail(str(exc))


@contacts_app.command("import")
def import_command(file: Path = typer.Argument(..., help="CSV with an email column"), config: Optional[Path] = ConfigOption) -> None:
    """Upsert contacts by e-mail; unknown columns become attributes. Any bad row: nothing is imported."""
    from .importer import import_contacts

    report = _import_file(file, config, import_contacts)
    typer.echo(f"{report.created} contacts added, {report.updated} updated"
               + (f", {len(report.skipped_erased)} skipped: erased earlier (lines {', '.join(map(str, report.skipped_erased))})"
                  if report.skipped_erased else ""))


@contacts_app.command("export")
def export_command(out: Optional[Path] = typer.Option(None, "--out", "-o", help="CSV file (default: standard output)"),
                   config: Optional[Path] = ConfigOption) -> None:
    """Every contact as CSV (email, name, language, consent, unsubscriptions, handles, attributes)."""
    from store.db import session_scope

    from .importer import export_contacts

    _, engine = config_and_engine(config)
    stream = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        with session_scope(engine) as session:
            count = export_contacts(session, stream)
    finally:
        if out:
            stream.close()
    if out:
        typer.echo(f"{count} contacts written to {out}", err=True)


@contacts_app.command("erase")
def erase_command(email: str, config: Optional[Path] = ConfigOption) -> None:
    """Remove a person's personal data (contact, handles, message contents); counts stay; never contacted again."""
    from store.db import session_scope

    from .importer import erase_contact

    _, engine = config_and_engine(config)
    with session_scope(engine) as session:
        result = erase_contact(session, email)
    typer.echo(("contact erased" if result["contact"] else "no such contact; the address is suppressed anyway")
               + f", {result['messages_scrubbed']} messages scrubbed, address suppressed (hashed)")


@contacts_app.command("suppress")
def suppress_command(file: Path = typer.Argument(..., help="CSV with email and optional reason (bounced, complained, manual)"),
                     config: Optional[Path] = ConfigOption) -> None:
    """Import a suppression list: these addresses never get another message."""
    from .importer import import_suppressions

    added = _import_file(file, config, import_suppressions)
    typer.echo(f"{added} addresses added to the suppression list")


def register(root: typer.Typer) -> None:
    root.add_typer(contacts_app, name="contacts")
