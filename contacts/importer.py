"""Contacts in and out as CSV, the suppression list, and erasure (GDPR).

Import: upsert by e-mail. Header names map to fields (case, spaces and hyphens ignored): `email` (also `e-mail`,
`mail`), `name`, `language` (`lang`, `locale`: its first two letters), `consent_service`, `consent_survey`,
`consent_marketing` (true/false, yes/no, 1/0), public handles `reddit`, `heureka`, `appstore`, `googleplay`; every
other column is an attribute (plan, platform, app_version, country …) for audience rules. The whole file is checked
first: any bad row and nothing is imported, every bad row listed by line number. Unsubscriptions are never changed
by an import, and an erased person is not imported again.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import IO, Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from careloop.config import CONSENT_KINDS
from store.models import Contact, ContactHandle, OutboxMessage, utcnow
from store.outreach import SUPPRESSION_REASONS, email_hash, normalise_email, suppress, suppressed_hashes

HANDLE_PLATFORMS = ("reddit", "heureka", "appstore", "googleplay")
_ALIASES = {"e_mail": "email", "mail": "email", "lang": "language", "locale": "language", "full_name": "name",
            "reddit_user": "reddit", "app_store": "appstore", "google_play": "googleplay", "play": "googleplay"}
_EMAIL = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$")
_TRUE, _FALSE = {"true", "yes", "y", "1", "ano", "áno", "да"}, {"false", "no", "n", "0", "ne", "nie", "нет", ""}


class ContactImportError(ValueError):
    """The file has bad rows; the message lists each with its line number. Nothing was imported."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped_erased: list[int] = field(default_factory=list)  # line numbers of people erased earlier


def _column(header: str) -> str:
    name = re.sub(r"[\s\-]+", "_", header.strip().lower())
    return _ALIASES.get(name, name)


def _boolean(value: str, column: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{column}: {value!r} is not true/false, yes/no or 1/0")


def _parse(rows: Iterable[dict], line_of) -> tuple[list[dict], list[str]]:
    parsed, problems, seen = [], [], {}
    for number, raw in enumerate(rows):
        line = line_of(number)
        values = {_column(key): (value or "").strip() for key, value in raw.items() if key is not None}
        if None in raw:
            problems.append(f"line {line}: more values than columns")
            continue
        email = normalise_email(values.pop("email", ""))
        if not _EMAIL.match(email):
            problems.append(f"line {line}: {email or 'empty'!r} is not an e-mail address")
            continue
        if email in seen:
            problems.append(f"line {line}: {email} is already on line {seen[email]}")
            continue
        seen[email] = line
        row = {"email": email, "line": line, "name": values.pop("name", "") or None, "handles": {}, "consent": {}}
        language = values.pop("language", "")[:2].lower()
        if language and not language.isalpha():
            problems.append(f"line {line}: language {language!r} is not a two-letter code (en, cs, sk, ru …)")
            continue
        row["language"] = language or None
        try:
            for kind in CONSENT_KINDS:
                if f"consent_{kind}" in values:
                    row["consent"][f"consent_{kind}"] = _boolean(values.pop(f"consent_{kind}"), f"consent_{kind}")
        except ValueError as exc:
            problems.append(f"line {line}: {exc}")
            continue
        for platform in HANDLE_PLATFORMS:
            handle = values.pop(platform, "").lower().removeprefix("u/").removeprefix("@")
            if handle:
                row["handles"][platform] = handle
        row["attributes"] = {key: value for key, value in values.items() if value and not key.startswith("unsubscribed")}
        parsed.append(row)
    return parsed, problems


def import_contacts(session: Session, stream: IO[str], source: str = "the file") -> ImportReport:
    """Upsert every row of a contacts CSV, or none (ContactImportError naming each bad line). Flushes only."""
    reader = csv.DictReader(stream)
    if not reader.fieldnames or "email" not in {_column(name) for name in reader.fieldnames}:
        raise ContactImportError(f"{source}: no `email` column in the header ({', '.join(reader.fieldnames or [])})")
    rows, problems = _parse(reader, lambda number: number + 2)  # line 1 is the header
    if problems:
        raise ContactImportError(f"{source}: {len(problems)} bad row(s), nothing imported:\n  " + "\n  ".join(problems))
    report, now = ImportReport(), utcnow()
    erased = {digest for digest, reason in suppressed_hashes(session).items() if reason == "erased"}
    existing = dict(session.execute(select(Contact.email, Contact.id)).all())
    new, changed, handles = [], [], []
    for row in rows:
        if email_hash(row["email"]) in erased:
            report.skipped_erased.append(row["line"])
            continue
        fields = {"name": row["name"], "language": row["language"], "updated_at": now, **row["consent"]}
        if row["email"] in existing:
            changed.append({"id": existing[row["email"]], **fields, "_attributes": row["attributes"]})
        else:
            new.append({"email": row["email"], "attributes": row["attributes"], "created_at": now, **fields})
        handles += [(row["email"], platform, handle) for platform, handle in row["handles"].items()]
    for start in range(0, len(new), 1000):
        session.execute(Contact.__table__.insert(), [{**{f"consent_{kind}": kind == "service" for kind in CONSENT_KINDS}, **row}
                                                     for row in new[start:start + 1000]])
    if changed:
        attributes = dict(session.execute(select(Contact.id, Contact.attributes)).all())  # merged, not replaced
        session.execute(update(Contact), [{**{k: v for k, v in row.items() if k != "_attributes"},
                                           "attributes": {**(attributes.get(row["id"]) or {}), **row["_attributes"]}}
                                          for row in changed])
    _link_handles(session, handles)
    report.created, report.updated = len(new), len(changed)
    session.flush()
    return report


def _link_handles(session: Session, handles: list[tuple[str, str, str]]) -> None:
    """(platform, handle) → contact; the latest import wins when a handle moves to another person."""
    if not handles:
        return
    ids = dict(session.execute(select(Contact.email, Contact.id)).all())
    rows = [{"contact_id": ids[email], "platform": platform, "handle": handle} for email, platform, handle in handles]
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[session.get_bind().dialect.name]
    for start in range(0, len(rows), 1000):
        statement = insert(ContactHandle).values(rows[start:start + 1000])
        session.execute(statement.on_conflict_do_update(index_elements=["platform", "handle"],
                                                        set_={"contact_id": statement.excluded.contact_id}))


def export_contacts(session: Session, stream: IO[str]) -> int:
    """Every contact as CSV (the import's columns, attributes last); returns how many."""
    contacts = session.scalars(select(Contact).order_by(Contact.id)).all()
    handles: dict[int, dict[str, str]] = {}
    for contact_id, platform, handle in session.execute(select(ContactHandle.contact_id, ContactHandle.platform, ContactHandle.handle)):
        handles.setdefault(contact_id, {})[platform] = handle
    attributes = sorted({key for contact in contacts for key in (contact.attributes or {})})
    fixed = ["email", "name", "language", *(f"consent_{kind}" for kind in CONSENT_KINDS),
             *(f"unsubscribed_{kind}_at" for kind in CONSENT_KINDS), *HANDLE_PLATFORMS]
    writer = csv.writer(stream)
    writer.writerow(fixed + [name for name in attributes if name not in fixed])
    for contact in contacts:
        values = {**(contact.attributes or {}), **handles.get(contact.id, {}), "email": contact.email,
                  "name": contact.name or "", "language": contact.language or ""}
        for kind in CONSENT_KINDS:
            values[f"consent_{kind}"] = "true" if getattr(contact, f"consent_{kind}") else "false"
            moment = getattr(contact, f"unsubscribed_{kind}_at")
            values[f"unsubscribed_{kind}_at"] = moment.isoformat() if moment else ""
        writer.writerow([values.get(name, "") for name in fixed + [name for name in attributes if name not in fixed]])
    return len(contacts)


def import_suppressions(session: Session, stream: IO[str], source: str = "the file") -> int:
    """A suppression list CSV (`email`, optional `reason`: bounced, complained or manual); returns how many were new."""
    reader = csv.DictReader(stream)
    if not reader.fieldnames or "email" not in {_column(name) for name in reader.fieldnames}:
        raise ContactImportError(f"{source}: no `email` column in the header")
    entries, problems = [], []
    for number, raw in enumerate(reader):
        values = {_column(key): (value or "").strip() for key, value in raw.items() if key is not None}
        email, reason = normalise_email(values.get("email", "")), (values.get("reason") or "manual").lower()
        if not _EMAIL.match(email):
            problems.append(f"line {number + 2}: {email or 'empty'!r} is not an e-mail address")
        elif reason not in SUPPRESSION_REASONS or reason == "erased":
            problems.append(f"line {number + 2}: reason {reason!r} is not bounced, complained or manual")
        else:
            entries.append((email, reason))
    if problems:
        raise ContactImportError(f"{source}: {len(problems)} bad row(s), nothing imported:\n  " + "\n  ".join(problems))
    return sum(suppress(session, email, reason, detail="imported") for email, reason in entries)


def erase_contact(session: Session, email: str) -> dict:
    """GDPR erasure: the contact, their handles and the personal data in their messages go; the messages stay
    (counted, with their status) and a hashed suppression entry keeps a re-import from reaching them again."""
    address = normalise_email(email)
    contact = session.scalar(select(Contact).where(Contact.email == address))
    scrubbed = 0
    if contact is not None:
        session.execute(update(OutboxMessage).where(OutboxMessage.contact_id == contact.id, OutboxMessage.status == "queued")
                        .values(status="skipped_unsubscribed", error="the person was erased")
                        .execution_options(synchronize_session=False))
        scrubbed = session.execute(update(OutboxMessage).where(OutboxMessage.contact_id == contact.id)
                                   .values(payload={"erased": True}, contact_id=None)
                                   .execution_options(synchronize_session=False)).rowcount
        session.execute(delete(ContactHandle).where(ContactHandle.contact_id == contact.id))
        session.delete(contact)
    suppress(session, address, "erased")
    session.flush()
    return {"contact": contact is not None, "messages_scrubbed": scrubbed}


def read_text(data: bytes, source: str) -> io.StringIO:
    """CSV bytes as text: UTF-8 (with or without BOM), else an error naming the file."""
    try:
        return io.StringIO(data.decode("utf-8-sig"), newline="")
    except UnicodeDecodeError as exc:
        raise ContactImportError(f"{source}: not UTF-8 text (byte {exc.start}): save it as UTF-8 CSV") from None
