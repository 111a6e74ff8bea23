"""Known issues as people manage them (inbox and `careloop issue …`): open, update, change status, resolve —
each audited, each status creating a notice campaign; resolving also drafts follow-ups in the threads we answered.
Issues declared in careloop.yaml are read-only here: change them in the file.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from careloop.config import Config
from careloop.rules import RuleError, parse_rule
from drafting.facts import known_issue_for
from drafting.followups import draft_follow_ups, sync_issues
from sentiment.pipeline import mention_text
from store.audit import IssueAction
from store.issues import IssueError, issue_by_key, open_issue, record_event, set_status, slug, view
from store.models import ISSUE_STATUSES, KnownIssueRecord, Mention, utcnow

from .campaigns import audience
from .compose import notice_language

EDITABLE = ("title", "brand", "products", "keywords", "audience", "link")


@dataclass
class Reach:
    mentions_7d: int  # stored mentions matching the issue in the last 7 days
    contacts: int  # contacts the audience rule selects
    contacts_by_language: dict[str, int]  # by the language their notice would be in


def _validate(config: Config, fields: dict) -> dict:
    if "audience" in fields:
        fields["audience"] = (fields["audience"] or "").strip() or None
        if fields["audience"]:
            try:
                parse_rule(fields["audience"])
            except RuleError as exc:
                raise IssueError(str(exc)) from None
    if fields.get("brand") and fields["brand"] not in {brand.name for brand in config.brands}:
        raise IssueError(f"brand {fields['brand']!r} is not among brands {sorted(brand.name for brand in config.brands)}")
    if "keywords" in fields:
        keywords = {language: [word.strip() for word in words if word.strip()] for language, words in fields["keywords"].items()}
        fields["keywords"] = {language: words for language, words in keywords.items() if words}
        if not fields["keywords"]:
            raise IssueError("at least one keyword is needed: mentions are matched by word beginnings (e.g. restart)")
    if "title" in fields and not (fields["title"] or "").strip():
        raise IssueError("a title is needed")
    return fields


def open_known_issue(session: Session, config: Config, *, title: str, actor: str, keywords: dict[str, list[str]],
                     notes: dict[str, str], status: str = "investigating", key: str | None = None, origin: str = "inbox",
                     **fields) -> KnownIssueRecord:
    """A new issue in the registry with its first notice campaign (awaiting approval). Flushes only."""
    fields = _validate(config, {"title": title.strip(), "keywords": keywords, **fields})
    key = key or slug(title)
    if session.scalar(select(KnownIssueRecord.id).where(KnownIssueRecord.key == key)) is not None:
        raise IssueError(f"a known issue with key {key!r} exists: pick another title or key")
    notes = {language: text.strip() for language, text in notes.items() if text and text.strip()}
    if not notes:
        raise IssueError("a public note is needed (at least in English): it is what customers and replies are told")
    issue = open_issue(session, key=key, status=status, actor=actor, origin=origin, notes={status: notes}, **fields)
    if issue is None:
        raise IssueError(f"a known issue with key {key!r} was just created by someone else")
    return issue


def _editable(session: Session, key: str) -> KnownIssueRecord:
    issue = issue_by_key(session, key)
    if issue.origin == "config":
        raise IssueError(f"issue {key} is declared in careloop.yaml: change it there (it is read-only here)")
    return issue


def update_known_issue(session: Session, config: Config, key: str, actor: str, **fields) -> KnownIssueRecord:
    issue = _editable(session, key)
    fields = _validate(config, {name: value for name, value in fields.items() if name in EDITABLE})
    changed = sorted(name for name, value in fields.items() if getattr(issue, name) != value)
    for name in changed:
        setattr(issue, name, fields[name])
    if changed:
        issue.updated_at = utcnow()
        record_event(session, issue, actor, IssueAction.UPDATED, note="changed: " + ", ".join(changed))
    session.flush()
    return issue


def change_status(session: Session, config: Config, key: str, to: str, actor: str,
                  notes: dict[str, str] | None = None) -> KnownIssueRecord:
    """Move the issue on (with the public note for the new status); resolving drafts the follow-ups."""
    issue = _editable(session, key)
    if to not in ISSUE_STATUSES:
        raise IssueError(f"unknown status {to!r}; expected one of {list(ISSUE_STATUSES)}")
    texts = {language: text.strip() for language, text in (notes or {}).items() if text and text.strip()}
    if texts:
        issue.notes = {**(issue.notes or {}), to: texts}
    set_status(session, issue, to, actor)
    if to == "resolved":
        draft_follow_ups(session, config, issue)
    session.flush()
    return issue


def reach(session: Session, config: Config, issue: KnownIssueRecord, days: int = 7) -> Reach:
    """How many stored mentions match the issue lately, and how many contacts its audience rule selects."""
    since = utcnow() - timedelta(days=days)
    found = view(issue)
    recent = select(Mention).where(Mention.duplicate_of_id.is_(None),
                                   or_(Mention.published_at >= since, Mention.published_at.is_(None) & (Mention.fetched_at >= since)))
    if issue.brand:
        recent = recent.where(Mention.brand == issue.brand)
    mentions = sum(1 for mention in session.scalars(recent.execution_options(yield_per=1000))
                   if known_issue_for(mention_text(mention), mention.brand, [found]) is not None)
    contacts = audience(session, issue, "investigating")
    languages = Counter(notice_language(config, contact.language) for contact in contacts)
    return Reach(mentions, len(contacts), dict(sorted(languages.items())))


def issues(session: Session, config: Config) -> list[KnownIssueRecord]:
    """Every issue, careloop.yaml's brought up to date first; open ones first, newest first."""
    sync_issues(session, config)
    return sorted(session.scalars(select(KnownIssueRecord)).all(),
                  key=lambda issue: (issue.status == "resolved", -issue.updated_at.timestamp()))


def parse_keywords(text: str) -> dict[str, list[str]]:
    """One line per language, "cs: restart, reboot"; a line without "xx:" applies to every language."""
    keywords: dict[str, list[str]] = {}
    for line in text.splitlines():
        language, sep, words = line.partition(":")
        if not sep or len(language.strip()) != 2:
            language, words = "*", line
        keywords.setdefault(language.strip().lower(), []).extend(word.strip() for word in words.split(",") if word.strip())
    return keywords


def keywords_text(keywords: dict[str, list[str]]) -> str:
    return "\n".join(f"{language}: {', '.join(words)}" if language != "*" else ", ".join(words)
                     for language, words in (keywords or {}).items())
