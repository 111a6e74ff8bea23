"""The known-issue registry as data: reads for drafting, the lifecycle (each change an event with who and when, and
a notice campaign for a manager to approve), and the upsert of issues declared in careloop.yaml.

Statuses: investigating → identified → monitoring → resolved. careloop.yaml's `fixing` means identified, `fixed`
resolved. An issue first seen already resolved gets no campaign: nobody was told it was broken.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from careloop.config import Config, KnownIssue

from .audit import IssueAction
from .mentions import insert_ignoring_conflicts
from .models import ISSUE_STATUSES, IssueEvent, KnownIssueRecord, NoticeCampaign, utcnow

CONFIG_STATUS = {"investigating": "investigating", "fixing": "identified", "fixed": "resolved"}
CONFIG_ACTOR = "careloop.yaml"


class IssueError(ValueError):
    """The change is not possible (unknown issue, read-only, same status); the message says why."""


@dataclass(frozen=True)
class IssueView:
    """What drafting reads of an issue (the same attributes as careloop.yaml's KnownIssue)."""

    id: int
    key: str
    title: str
    brand: str | None
    products: tuple[str, ...]
    keywords: tuple[str, ...]  # every language's word beginnings
    status: str
    note: dict[str, str]  # language → public note for the current status (else the latest status that has one)
    link: str | None

    @property
    def product(self) -> str | None:
        return self.products[0] if self.products else None


def slug(title: str) -> str:
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:80] or "issue"


def note_for(record: KnownIssueRecord, status: str | None = None) -> dict[str, str]:
    notes = record.notes or {}
    order = ISSUE_STATUSES[: ISSUE_STATUSES.index(status or record.status) + 1][::-1]
    return next((dict(notes[name]) for name in order if notes.get(name)), {})


def view(record: KnownIssueRecord) -> IssueView:
    words = [word for group in (record.keywords or {}).values() for word in group]
    return IssueView(record.id, record.key, record.title, record.brand, tuple(record.products or ()),
                     tuple(dict.fromkeys(words)), record.status, note_for(record), record.link)


def registry_issues(session: Session) -> list[IssueView]:
    """Every issue, open ones first (a mention matching an open and a resolved issue is about the open one)."""
    query = select(KnownIssueRecord).order_by(case((KnownIssueRecord.status == "resolved", 1), else_=0), KnownIssueRecord.id)
    return [view(record) for record in session.scalars(query)]


def record_event(session: Session, issue: KnownIssueRecord, actor: str, action: IssueAction, *, note: str | None = None,
                 from_status: str | None = None, to_status: str | None = None, campaign_id: int | None = None) -> None:
    session.add(IssueEvent(issue_id=issue.id, campaign_id=campaign_id, at=utcnow(), actor=actor, action=action,
                           from_status=from_status, to_status=to_status, note=note))


def open_issue(session: Session, *, key: str, title: str, status: str, actor: str, origin: str,
               **fields) -> KnownIssueRecord | None:
    """Insert the issue (None when the key exists: two runs racing store it once), its event and its campaign."""
    if status not in ISSUE_STATUSES:
        raise IssueError(f"unknown status {status!r}; expected one of {list(ISSUE_STATUSES)}")
    now = utcnow()
    row = {"key": key, "title": title, "status": status, "origin": origin, "created_by": actor, "created_at": now,
           "updated_at": now, "resolved_at": now if status == "resolved" else None, "products": [], "keywords": {},
           "notes": {}, **fields}
    if not insert_ignoring_conflicts(session, KnownIssueRecord, [row], ["key"]):
        return None
    issue = session.scalar(select(KnownIssueRecord).where(KnownIssueRecord.key == key))
    record_event(session, issue, actor, IssueAction.OPENED, to_status=status, note=title)
    if status != "resolved":
        _campaign(session, issue, status, actor)
    session.flush()
    return issue


def set_status(session: Session, issue: KnownIssueRecord, to: str, actor: str, note: str | None = None) -> NoticeCampaign | None:
    """Move the issue to `to` (conditional on the status it was read in), audited; returns the new campaign."""
    if to not in ISSUE_STATUSES:
        raise IssueError(f"unknown status {to!r}; expected one of {list(ISSUE_STATUSES)}")
    if to == issue.status:
        raise IssueError(f"issue {issue.key} is already {to}")
    now = utcnow()
    moved = session.execute(update(KnownIssueRecord).where(KnownIssueRecord.id == issue.id, KnownIssueRecord.status == issue.status)
                            .values(status=to, updated_at=now, resolved_at=now if to == "resolved" else None)
                            .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise IssueError(f"issue {issue.key} was changed by someone else meanwhile: reload it")
    before = issue.status
    session.refresh(issue)
    record_event(session, issue, actor, IssueAction.RESOLVED if to == "resolved" else IssueAction.STATUS_CHANGED, from_status=before,
                 to_status=to, note=note)
    campaign = _campaign(session, issue, to, actor)
    session.flush()
    return campaign


def _campaign(session: Session, issue: KnownIssueRecord, stage: str, actor: str) -> NoticeCampaign | None:
    """One campaign per (issue, stage): a status reached twice is announced once."""
    if not insert_ignoring_conflicts(session, NoticeCampaign, [{"issue_id": issue.id, "stage": stage, "status": "awaiting_approval",
                                                                "created_at": utcnow(), "queued": {}}], ["issue_id", "stage"]):
        return None
    campaign = session.scalar(select(NoticeCampaign).where(NoticeCampaign.issue_id == issue.id, NoticeCampaign.stage == stage))
    record_event(session, issue, actor, IssueAction.CAMPAIGN_CREATED, campaign_id=campaign.id, to_status=stage,
                 note=f"notice for {stage} awaits approval")
    return campaign


def config_fields(issue: KnownIssue) -> dict:
    keywords = issue.keywords if isinstance(issue.keywords, dict) else {"*": list(issue.keywords)}
    return {"title": issue.title, "brand": issue.brand, "products": list(issue.products), "keywords": keywords,
            "audience": issue.audience, "link": issue.link}


def upsert_config_issues(session: Session, config: Config) -> list[KnownIssueRecord]:
    """Issues of careloop.yaml into the registry by key; returns those this call resolved (for follow-ups)."""
    resolved: list[KnownIssueRecord] = []
    for declared in config.known_issues:
        key, status = declared.key or slug(declared.title), CONFIG_STATUS[declared.status]
        fields = config_fields(declared)
        record = session.scalar(select(KnownIssueRecord).where(KnownIssueRecord.key == key))
        if record is None:
            open_issue(session, key=key, status=status, actor=CONFIG_ACTOR, origin="config",
                       notes={status: dict(declared.note)}, **fields)
            continue
        notes = {**(record.notes or {}), status: dict(declared.note)}
        changed = {name: value for name, value in {**fields, "notes": notes}.items() if getattr(record, name) != value}
        if changed:
            for name, value in changed.items():
                setattr(record, name, value)
            record.updated_at = utcnow()
            record_event(session, record, CONFIG_ACTOR, IssueAction.UPDATED, note="changed in careloop.yaml: " + ", ".join(sorted(changed)))
        if record.status != status:
            set_status(session, record, status, CONFIG_ACTOR)
            if status == "resolved":
                resolved.append(record)
    session.flush()
    return resolved


def issue_by_key(session: Session, key: str) -> KnownIssueRecord:
    record = session.scalar(select(KnownIssueRecord).where(KnownIssueRecord.key == key))
    if record is None:
        known = session.scalars(select(KnownIssueRecord.key).order_by(KnownIssueRecord.key)).all()
        raise IssueError(f"no known issue with key {key!r}; known: {', '.join(known) or 'none'}")
    return record

