"""Follow-ups in threads we answered: when a known issue is resolved, every public mention we replied to about it
gets a `follow_up` draft ("fixed in 2.1.4") in the agents' queue — once per (mention, issue), like any draft
approved by an agent before it is posted."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from careloop.config import Config
from sentiment.pipeline import mention_text
from store.issues import upsert_config_issues, view
from store.models import Draft, KnownIssueRecord, Mention, utcnow

from .checks import messages, problems_in
from .facts import facts_for, known_issue_for
from .rows import add_drafted_event, insert_new, priority
from .templates import TemplateError, context_for, render, reply_language, templates_dir

FOLLOW_UP_TEMPLATE = "{lang}/follow_up.j2"


def sync_issues(session: Session, config: Config, now: datetime | None = None) -> int:
    """careloop.yaml's known issues into the registry; follow-up drafts for those it resolved. Returns how many."""
    return sum(draft_follow_ups(session, config, record, now) for record in upsert_config_issues(session, config))


def draft_follow_ups(session: Session, config: Config, record: KnownIssueRecord, now: datetime | None = None) -> int:
    """A pending follow_up draft for every mention about `record` whose reply was sent. Safe to run again."""
    now = now or utcnow()
    issue = view(record)
    answered = select(Draft.language, Mention).join(Mention, Mention.id == Draft.mention_id) \
        .where(Draft.kind == "reply", Draft.status == "sent", Mention.duplicate_of_id.is_(None))
    if issue.brand:
        answered = answered.where(Mention.brand == issue.brand)
    directory = templates_dir(config)
    rows = []
    for language, mention in session.execute(answered):
        if known_issue_for(mention_text(mention), mention.brand, [issue]) is None:
            continue
        facts = facts_for(mention, config, [issue])
        language = reply_language(language or facts.language, directory, config.replies)
        name = FOLLOW_UP_TEMPLATE.replace("{lang}", language)
        try:
            text, failures = render(directory, name, context_for(facts, mention.author, config, language)), []
        except TemplateError as error:
            text, failures = "", [f"template {name}: {type(error).__name__}: {error}"]
        rows.append({"mention_id": mention.id, "kind": "follow_up", "campaign": f"issue:{issue.key}", "status": "pending",
                     "reason": None, "template": name, "language": language, "text": text,
                     "check_failures": failures + messages(problems_in(text, mention.source_type, config.replies)),
                     "priority": priority(mention, facts, now), "created_at": now, "updated_at": now})
    inserted = insert_new(session, rows) if rows else []
    for draft_id, row in inserted:
        add_drafted_event(session, draft_id, {**row, "reason": f"follow-up: {issue.title} is resolved"}, now)
    session.flush()
    return len(inserted)
