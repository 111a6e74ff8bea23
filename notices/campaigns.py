"""Notice campaigns: who a campaign reaches, what they would read, and — once a manager approves — one outbox row
per (contact, issue, stage), queued or skipped with its reason by the one contact policy (contacts/policy.py).

The audience is every contact the issue's audience rule selects; the resolution notice also goes to everyone who
received an earlier notice of the issue. Notices are `service` messages: consent to service messages is on unless a
contact refused it, and service messages are exempt from the policy's limits by default (contact_policy.exempt).
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from careloop.config import Config
from contacts.audience import matching_contacts
from contacts.policy import Gate
from publishing.outbox import enqueue, enqueue_many
from store.audit import IssueAction
from store.issues import IssueError, note_for, record_event
from store.models import OUTBOX_STATUSES, Contact, KnownIssueRecord, NoticeCampaign, OutboxMessage, User, utcnow

from .compose import notice_language, render_notice

CONSENT_KIND = "service"


@dataclass
class Preview:
    audience: int = 0
    by_language: dict[str, int] = field(default_factory=dict)  # of those who would get it, by notice language
    outcome: dict[str, int] = field(default_factory=dict)  # queued / skipped_* → count, as if approved now
    samples: dict[str, dict] = field(default_factory=dict)  # language → {"subject", "text", "html"}


def campaign_key(campaign: NoticeCampaign) -> str:
    return f"notice:{campaign.id}"


def audience(session: Session, issue: KnownIssueRecord, stage: str) -> list:
    """Contacts the rule selects (attributes plus `language`); at resolution, plus earlier recipients."""
    selected = matching_contacts(session, issue.audience) if issue.audience else []
    if stage == "resolved":
        keys = [f"notice:{campaign_id}" for campaign_id in
                session.scalars(select(NoticeCampaign.id).where(NoticeCampaign.issue_id == issue.id))]
        earlier = select(OutboxMessage.contact_id).where(OutboxMessage.campaign.in_(keys), OutboxMessage.status == "sent",
                                                         OutboxMessage.contact_id.is_not(None))
        chosen = {row.id for row in selected}
        selected += [row for row in matching_contacts(session, None, Contact.id.in_(earlier)) if row.id not in chosen]
    return selected


def preview(session: Session, config: Config, campaign: NoticeCampaign) -> Preview:
    """What approving now would do (nothing is written): audience, outcome per status, a rendered sample per language."""
    issue = campaign.issue
    contacts = audience(session, issue, campaign.stage)
    gate = Gate(session, config, CONSENT_KIND)
    result = Preview(audience=len(contacts))
    outcome, languages = Counter(), Counter()
    for contact in contacts:
        status, _ = gate.check(contact)
        outcome[status] += 1
        if status == "queued":
            languages[notice_language(config, contact.language)] += 1
    result.outcome = {status: outcome.get(status, 0) for status in ("queued", "skipped_policy", "skipped_consent", "skipped_unsubscribed")}
    result.by_language = dict(sorted(languages.items()))
    for language in sorted(set(languages) | {config.notices.fallback_language}):
        result.samples[language] = render_notice(config, issue, campaign.stage, language, name=None,
                                                 unsubscribe=_placeholder_unsubscribe(config))
    return result


def approve(session: Session, config: Config, campaign_id: int, actor: str) -> dict[str, int]:
    """Approve (audited, conditional: of two managers only one wins) and queue the notices. Flushes only."""
    campaign = session.get(NoticeCampaign, campaign_id, populate_existing=True)
    if campaign is None:
        raise IssueError(f"notice campaign #{campaign_id} does not exist")
    moved = session.execute(update(NoticeCampaign).where(NoticeCampaign.id == campaign_id, NoticeCampaign.status == "awaiting_approval")
                            .values(status="approved", approved_at=utcnow(), approved_by=actor)
                            .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise IssueError(f"notice campaign #{campaign_id} is {campaign.status.replace('_', ' ')}: only a campaign awaiting approval can be approved")
    issue, stage = campaign.issue, campaign.stage
    gate = Gate(session, config, CONSENT_KIND)
    rows = []
    for contact in audience(session, issue, stage):
        status, reason = gate.check(contact)
        payload = {"issue_id": issue.id, "stage": stage, "language": notice_language(config, contact.language),
                   "to": contact.email, "to_name": contact.name}
        rows.append(gate.outbox_row(contact, status, reason, key=f"notice:{issue.id}:{stage}:{contact.id}", kind="notice",
                                    campaign=campaign_key(campaign), payload=payload))
    enqueue_many(session, rows)
    for name in config.notices.webhooks:
        note = note_for(issue, stage)
        enqueue(session, key=f"notice:{issue.id}:{stage}:webhook:{name}", kind="notice", channel="webhook",
                campaign=campaign_key(campaign), payload={
                    "webhook": name, "event": f"known_issue.{stage}", "title": issue.title, "url": issue.link,
                    "text": note.get("en") or next(iter(note.values()), ""),
                    "data": {"key": issue.key, "status": stage, "brand": issue.brand, "products": issue.products}})
    counts = dict(Counter(row["status"] for row in rows))
    session.execute(update(NoticeCampaign).where(NoticeCampaign.id == campaign_id).values(queued=counts)
                    .execution_options(synchronize_session=False))
    record_event(session, issue, actor, IssueAction.CAMPAIGN_APPROVED, campaign_id=campaign_id, to_status=stage,
                 note=", ".join(f"{count} {status.replace('_', ' ')}" for status, count in sorted(counts.items())) or "no recipients")
    session.flush()
    return counts


def dismiss(session: Session, campaign_id: int, actor: str, reason: str) -> None:
    campaign = session.get(NoticeCampaign, campaign_id, populate_existing=True)
    moved = session.execute(update(NoticeCampaign).where(NoticeCampaign.id == campaign_id, NoticeCampaign.status == "awaiting_approval")
                            .values(status="dismissed").execution_options(synchronize_session=False)).rowcount
    if campaign is None or moved != 1:
        raise IssueError(f"notice campaign #{campaign_id} cannot be dismissed: only one awaiting approval can")
    record_event(session, campaign.issue, actor, IssueAction.CAMPAIGN_DISMISSED, campaign_id=campaign_id, note=reason or None)
    session.flush()


def send_test(session: Session, config: Config, campaign_id: int, user: User, language: str) -> str:
    """Queue the rendered notice in `language` to the manager's own address (audited); returns the address."""
    campaign = session.get(NoticeCampaign, campaign_id)
    if campaign is None:
        raise IssueError(f"notice campaign #{campaign_id} does not exist")
    if not user.email:
        raise IssueError(f"user {user.name} has no e-mail address for test notices: careloop user add … --email, or ask an admin")
    parts = render_notice(config, campaign.issue, campaign.stage, notice_language(config, language), name=user.display_name,
                          unsubscribe=_placeholder_unsubscribe(config))
    enqueue(session, key=f"notice-test:{campaign_id}:{language}:{time.time_ns()}", kind="notice_test", channel="email",
            campaign=campaign_key(campaign), payload={"to": user.email, "to_name": user.display_name, **parts,
                                                      "subject": "[TEST] " + parts["subject"]})
    record_event(session, campaign.issue, user.name, IssueAction.TEST_SENT, campaign_id=campaign_id, note=f"{language} to {user.email}")
    session.flush()
    return user.email


def delivery(session: Session, campaign: NoticeCampaign) -> dict[str, int]:
    """The campaign's notices by outbox status (test notices not counted)."""
    counts = dict(session.execute(select(OutboxMessage.status, func.count())
                                  .where(OutboxMessage.campaign == campaign_key(campaign), OutboxMessage.kind == "notice")
                                  .group_by(OutboxMessage.status)).all())
    return {status: int(counts.get(status, 0)) for status in OUTBOX_STATUSES}


def _placeholder_unsubscribe(config: Config) -> str:
    return (config.public_url or "https://care.example.com").rstrip("/") + "/public/unsubscribe/PREVIEW"
