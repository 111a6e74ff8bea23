"""Notice e-mails from templates/notices/<lang>/ (subject.txt, notice.txt, notice.html), rendered in Jinja2's
sandbox per contact at send time, in the contact's language or notices.fallback_language.

Context: `name` (the contact's name, may be empty), `brand`, `issue_title`, `product`, `stage` (investigating,
identified, monitoring, resolved), `note` (the issue's public note for that stage in this language), `link`
(the issue's public link, may be none), `unsubscribe_url`. Nothing from a mention, nothing of another contact.
HTML templates are autoescaped; text ones are plain text.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy.orm import Session

from careloop.config import Config
from careloop.secret import secret_key
from contacts.tokens import unsubscribe_url
from drafting.templates import configured_dir, display_name
from store.issues import note_for
from store.models import KnownIssueRecord, OutboxMessage

BUNDLED = Path(__file__).resolve().parents[1] / "templates" / "notices"
PARTS = {"subject": "subject.txt", "text": "notice.txt", "html": "notice.html"}


def templates_dir(config: Config) -> Path:
    return configured_dir(config, config.notices.templates_dir, BUNDLED)


@lru_cache(maxsize=8)
def mail_environment(directory: Path) -> SandboxedEnvironment:
    """The sandbox for customer e-mail templates of one folder (notices, surveys): HTML autoescaped, text plain."""
    return SandboxedEnvironment(loader=FileSystemLoader(directory), undefined=StrictUndefined,
                                autoescape=select_autoescape(["html"], default=False), keep_trailing_newline=False)


@lru_cache(maxsize=8)
def mail_languages(directory: Path) -> frozenset[str]:
    return frozenset(path.name for path in directory.iterdir() if path.is_dir()) if directory.is_dir() else frozenset()


def notice_language(config: Config, language: str | None) -> str:
    """The contact's language when there are notice templates for it, else notices.fallback_language."""
    return language if language in mail_languages(templates_dir(config)) else config.notices.fallback_language


def render_notice(config: Config, issue: KnownIssueRecord, stage: str, language: str, *, name: str | None,
                  unsubscribe: str) -> dict:
    """{"subject", "text", "html"} for one contact; raises jinja2.TemplateError for a broken template."""
    notes = note_for(issue, stage)
    context = {"name": display_name(name), "brand": issue.brand or "", "issue_title": issue.title,
               "product": (issue.products or [None])[0], "stage": stage, "link": issue.link,
               "note": notes.get(language) or notes.get(config.notices.fallback_language) or next(iter(notes.values()), ""),
               "unsubscribe_url": unsubscribe}
    return render_mail(templates_dir(config), language, PARTS, context)


def render_mail(directory: Path, language: str, files: dict[str, str], context: dict) -> dict:
    """{"subject", "text", "html"} from `<language>/<file>` of `directory`, the subject on one line."""
    environment = mail_environment(directory)
    parts = {part: environment.get_template(f"{language}/{file}").render(context).strip() for part, file in files.items()}
    parts["subject"] = " ".join(parts["subject"].split())
    return parts


class NoticeComposer:
    """compose(session, row) for the outbox: the e-mail payload of a queued notice (issues read once per run)."""

    def __init__(self, config: Config):
        self.config, self.secret = config, secret_key()  # read once per run, not once per message
        self._issues: dict[int, KnownIssueRecord] = {}

    def __call__(self, session: Session, row: OutboxMessage) -> dict:
        payload = row.payload
        if row.kind != "notice" or row.channel != "email":  # test notices and webhook posts are complete when queued
            return payload
        issue = self._issues.get(payload["issue_id"])
        if issue is None:
            issue = self._issues[payload["issue_id"]] = session.get(KnownIssueRecord, payload["issue_id"])
        link = unsubscribe_url(self.config, row.contact_id, row.consent_kind or "service", self.secret)
        parts = render_notice(self.config, issue, payload["stage"], payload["language"], name=payload.get("to_name"),
                              unsubscribe=link)
        return {"to": payload["to"], "to_name": payload.get("to_name"), "unsubscribe_url": link, **parts}
