"""Survey campaigns (surveys.campaigns in careloop.yaml): who is due a survey now, and one outbox row per person
and round, queued or skipped with its reason by the one contact policy (contacts/policy.py).

A round is one occasion to ask: a scheduled campaign's latest cron time ("2026-10-01T09:00"), the day of a manual
send, a reply we sent to a contact-linked mention ("reply42"), a known issue resolved for contacts who got its notices
("issue7"). The outbox key `survey:<campaign>:<round>:<contact>` makes every re-run a no-op for what was queued, and a
round that queued anything is not sampled again. Samples are drawn by a hash of (campaign, round, contact): random
across people, the same on every run, so two workers planning the same round agree.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from cronsim import CronSim
from sqlalchemy import String, and_, cast, func, literal, select
from sqlalchemy.orm import Session

from careloop.config import Config
from careloop.survey_settings import SurveyCampaign
from contacts.audience import matching_contacts
from contacts.policy import Gate
from publishing.outbox import enqueue_many
from store.models import (Contact, ContactHandle, Draft, KnownIssueRecord, Mention, NoticeCampaign, OutboxMessage,
                          utcnow)

from .compose import survey_language


@dataclass
class Planned:
    contact_id: int
    email: str
    round: str
    status: str  # queued, or skipped_policy / skipped_consent / skipped_unsubscribed
    reason: str | None


@dataclass
class Plan:
    campaign: str
    rounds: list[str] = field(default_factory=list)
    people: list[Planned] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(person.status for person in self.people).items()))


def campaign_key(name: str) -> str:
    return f"survey:{name}"


def plan_campaign(session: Session, config: Config, campaign: SurveyCampaign, *, now: datetime | None = None,
                  manual_round: str | None = None, queue: bool = False) -> Plan:
    """Who the campaign's due rounds reach and who is skipped why; with `queue`, the outbox rows too (flushes)."""
    now = now or utcnow()
    survey = config.surveys.definitions[campaign.survey]
    gate = Gate(session, config, campaign.consent, now=now)
    plan, rows = Plan(campaign.name), []
    for round_, contacts in _due_rounds(session, campaign, now, manual_round):
        plan.rounds.append(round_)
        for contact in contacts:
            status, reason = gate.check(contact)
            plan.people.append(Planned(contact.id, contact.email, round_, status, reason))
            language = survey_language(config, contact.language)
            rows.append(gate.outbox_row(
                contact, status, reason, key=f"{campaign_key(campaign.name)}:{round_}:{contact.id}",
                kind="review_request" if survey.kind == "review" else "survey", campaign=campaign_key(campaign.name),
                payload={"campaign": campaign.name, "survey": campaign.survey, "kind": survey.kind, "round": round_,
                         "language": language, "to": contact.email, "to_name": contact.name}))
    if queue:
        enqueue_many(session, rows)
        session.flush()
    return plan


def _due_rounds(session: Session, campaign: SurveyCampaign, now: datetime, manual_round: str | None):
    """(round, contacts) for every round of the campaign that is due and not yet queued."""
    if campaign.trigger in ("scheduled", "manual"):
        if campaign.trigger == "scheduled":
            round_ = next(CronSim(campaign.schedule, now, reverse=True)).strftime("%Y-%m-%dT%H:%M")
        else:
            round_ = manual_round or now.strftime("%Y-%m-%d")
        if not _queued(session, campaign, [round_]):
            if campaign.sample is None:  # everyone the rule selects: the policy says who is skipped and why
                yield round_, matching_contacts(session, campaign.audience)
            else:
                yield round_, _sample(campaign, round_, _consenting(session, campaign))
        return
    events = _reply_events(session, campaign, now) if campaign.trigger == "after_reply" else _issue_events(session, campaign, now)
    done = _queued(session, campaign, list(events))
    allowed = {row.id: row for row in matching_contacts(session, campaign.audience)} if campaign.audience else None
    for round_, contact_ids in events.items():
        if round_ in done:
            continue
        rows = [allowed[i] for i in contact_ids if i in allowed] if allowed is not None else \
            matching_contacts(session, None, Contact.id.in_(contact_ids))
        if rows:
            yield round_, rows


def _consenting(session: Session, campaign: SurveyCampaign) -> list:
    """The sample is drawn from those who consented and did not unsubscribe: the people a sample is about."""
    consent, unsubscribed = getattr(Contact, f"consent_{campaign.consent}"), getattr(Contact, f"unsubscribed_{campaign.consent}_at")
    return matching_contacts(session, campaign.audience, consent.is_(True), unsubscribed.is_(None))


def _sample(campaign: SurveyCampaign, round_: str, contacts: list) -> list:
    draw = sorted(contacts, key=lambda row: hashlib.sha256(f"{campaign.name}:{round_}:{row.id}".encode()).digest())
    if isinstance(campaign.sample, int):
        return draw[:campaign.sample]
    return draw[:round(len(draw) * float(campaign.sample.strip()[:-1]) / 100)]


def _queued(session: Session, campaign: SurveyCampaign, rounds: list[str]) -> set[str]:
    """Of `rounds`, those that already have outbox rows (queued, sent or skipped)."""
    if not rounds:
        return set()
    prefix = campaign_key(campaign.name) + ":"
    keys = session.scalars(select(OutboxMessage.key).where(OutboxMessage.campaign == campaign_key(campaign.name)))
    return {key[len(prefix):].rsplit(":", 1)[0] for key in keys} & set(rounds)


def _window(campaign: SurveyCampaign, now: datetime) -> tuple[datetime, datetime]:
    return now - campaign.delay - campaign.lookback, now - campaign.delay


def _reply_events(session: Session, campaign: SurveyCampaign, now: datetime) -> dict[str, list[int]]:
    """"reply<draft id>" → [contact]: our replies sent to a contact-linked mention, delay ago (within lookback)."""
    start, end = _window(campaign, now)
    rows = session.execute(
        select(Draft.id, ContactHandle.contact_id).join(Mention, Mention.id == Draft.mention_id)
        .join(ContactHandle, and_(ContactHandle.platform == Mention.source_type,
                                  ContactHandle.handle == func.lower(Mention.author)))
        .where(Draft.kind == "reply", Draft.status == "sent", Draft.sent_at > start, Draft.sent_at <= end))
    events: dict[str, list[int]] = {}
    for draft_id, contact_id in rows:
        events.setdefault(f"reply{draft_id}", []).append(contact_id)
    return events


def _issue_events(session: Session, campaign: SurveyCampaign, now: datetime) -> dict[str, list[int]]:
    """"issue<id>" → contacts who were sent a notice of it, for issues resolved delay ago (within lookback)."""
    start, end = _window(campaign, now)
    rows = session.execute(
        select(KnownIssueRecord.id, OutboxMessage.contact_id).distinct()
        .join(NoticeCampaign, NoticeCampaign.issue_id == KnownIssueRecord.id)
        .join(OutboxMessage, OutboxMessage.campaign == literal("notice:").concat(cast(NoticeCampaign.id, String)))
        .where(KnownIssueRecord.status == "resolved", KnownIssueRecord.resolved_at > start,
               KnownIssueRecord.resolved_at <= end, OutboxMessage.kind == "notice", OutboxMessage.status == "sent",
               OutboxMessage.contact_id.is_not(None)))
    events: dict[str, list[int]] = {}
    for issue_id, contact_id in rows:
        events.setdefault(f"issue{issue_id}", []).append(contact_id)
    return events


def queue_due(session: Session, config: Config, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Queue every automatic campaign's due rounds (manual ones wait for `careloop survey send`). Flushes only."""
    return {campaign.name: plan_campaign(session, config, campaign, now=now, queue=True).counts()
            for campaign in config.surveys.campaigns if campaign.trigger != "manual"}
