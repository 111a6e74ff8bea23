"""Customer-care KPIs, computed from the store (never typed in), as SQL aggregates, for a period and optionally
broken down by a dimension. A KPI without data is None (null in JSON), never 0. Formulas (README "KPIs"):

- csat: % of CSAT answers scoring 4 or 5; nps: % of NPS answers 9–10 minus % 0–6 (−100…100); ces: mean CES (1–7);
  answers counted by the time they were first given, their score being the last one (a person may change it);
- response_rate: % of survey e-mails sent in the period that have an answer (review requests have none);
- first_response_time_median_s: median seconds from a mention's time (published, else fetched) to our reply to it
  being sent, over replies sent in the period; average_response_time_s: the mean over every message we sent in a
  thread in the period (replies and follow-ups), each from the mention it answers;
- fcr: % of replies sent in the period after which, within surveys.fcr_days, the same person (same source and
  author, or the contact linked to that handle) needed no second reply, wrote no negative mention and gave no
  detractor answer;
- sla: % of replies sent in the period within the `sla:` target of their priority class.
"""
from __future__ import annotations

from sqlalchemy import Float, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from careloop.config import Config
from store.models import Contact, ContactHandle, Draft, Mention, OutboxMessage, SurveyAnswer
from store.reports import mention_time, seconds_between

from .periods import Period

KPI_KEYS = ("csat", "nps", "ces", "response_rate", "first_response_time_median_s", "average_response_time_s", "fcr", "sla")
DIMENSIONS = ("language", "source", "campaign")  # or any contact attribute
DIGEST_KPIS = {"csat": "csat", "nps": "nps", "ces": "ces", "sla_pct": "sla"}  # digest key → KPI


def kpis(session: Session, config: Config, brands: list[str], period: Period, by: str | None = None) -> dict:
    """{KPI: value} for the period; with `by`, {"all": {…}, "by": {value: {…}}}."""
    overall = _kpis(session, config, brands, period, None)
    if by is None:
        return overall
    groups = _group_values(session, config, brands, period, by)
    return {"all": overall, "by": {str(value): _kpis(session, config, brands, period, (by, value)) for value in groups}}


def care_kpis(session: Session, config: Config, brands: list[str], period: Period) -> dict:
    """What a digest shows: first response time and the survey and SLA figures, each against the previous period."""
    current, previous = _kpis(session, config, brands, period, None), _kpis(session, config, brands, period.previous(), None)

    def compared(name: str) -> dict:
        now, before = current[name], previous[name]
        return {"current": now, "previous": before, "change": now - before if now is not None and before is not None else None}

    return {"first_response_time_median_s": compared("first_response_time_median_s"),
            **{key: compared(name) if current[name] is not None else None for key, name in DIGEST_KPIS.items()}}


def _kpis(session: Session, config: Config, brands: list[str], period: Period, group: tuple[str, str] | None) -> dict:
    answers = _answers(session, config, brands, period, group)
    return {**answers, "response_rate": _response_rate(session, config, brands, period, group),
            **_reply_times(session, config, brands, period, group)}


def _percent(part, whole) -> float | None:
    return round(100.0 * float(part) / whole, 2) if whole else None


# --- surveys --------------------------------------------------------------------------------------------------

def _survey_names(config: Config, brands: list[str]) -> list[str] | None:
    """Surveys of `brands` (None: no brand filter)."""
    return [name for name, survey in config.surveys.definitions.items() if survey.brand in brands] if brands else None


def _survey_group(query, group: tuple[str, str] | None, *, contact_id, language, campaign):
    if group is None:
        return query
    by, value = group
    if by == "language":
        return query.where(language == value)
    if by == "campaign":
        return query.where(campaign == value)
    if by == "source":  # surveys reach people by e-mail
        return query if value == "email" else query.where(literal(False))
    return query.where(contact_id.in_(select(Contact.id).where(Contact.attributes[by].as_string() == value)))


def _answers(session: Session, config: Config, brands: list[str], period: Period, group) -> dict:
    query = (select(SurveyAnswer.kind, func.count(), func.sum(case((SurveyAnswer.score >= 9, 1), else_=0)),
                    func.sum(case((SurveyAnswer.score <= 6, 1), else_=0)), func.sum(case((SurveyAnswer.score >= 4, 1), else_=0)),
                    func.avg(cast(SurveyAnswer.score, Float)))
             .where(SurveyAnswer.score.is_not(None), SurveyAnswer.answered_at >= period.utc_start,
                    SurveyAnswer.answered_at < period.utc_end).group_by(SurveyAnswer.kind))
    names = _survey_names(config, brands)
    if names is not None:
        query = query.where(SurveyAnswer.survey.in_(names))
    query = _survey_group(query, group, contact_id=SurveyAnswer.contact_id, language=SurveyAnswer.language,
                          campaign=SurveyAnswer.campaign)
    rows = {kind: (count, promoters, detractors, satisfied, mean) for kind, count, promoters, detractors, satisfied, mean in session.execute(query)}
    nps, csat, ces = rows.get("nps"), rows.get("csat"), rows.get("ces")
    return {"csat": _percent(csat[3], csat[0]) if csat else None,
            "nps": round(100.0 * (nps[1] - nps[2]) / nps[0], 2) if nps else None,
            "ces": round(float(ces[4]), 2) if ces else None}


def _response_rate(session: Session, config: Config, brands: list[str], period: Period, group) -> float | None:
    answered = exists().where(SurveyAnswer.send_id == OutboxMessage.id, SurveyAnswer.score.is_not(None))
    query = (select(func.count(), func.sum(case((answered, 1), else_=0)))
             .where(OutboxMessage.kind == "survey", OutboxMessage.status == "sent",
                    OutboxMessage.sent_at >= period.utc_start, OutboxMessage.sent_at < period.utc_end))
    names = _survey_names(config, brands)
    if names is not None:
        query = query.where(OutboxMessage.payload["survey"].as_string().in_(names))
    query = _survey_group(query, group, contact_id=OutboxMessage.contact_id,
                          language=OutboxMessage.payload["language"].as_string(),
                          campaign=OutboxMessage.payload["campaign"].as_string())
    sent, answered_count = session.execute(query).one()
    return _percent(answered_count or 0, sent)


# --- replies --------------------------------------------------------------------------------------------------

def _linked_contact(mention):
    return (select(ContactHandle.contact_id).where(ContactHandle.platform == mention.source_type,
                                                   ContactHandle.handle == func.lower(mention.author))
            .limit(1).correlate_except(ContactHandle).scalar_subquery())  # the mention outside, however deep


def _replies(session: Session, brands: list[str], period: Period, group, kinds=("reply",)):
    """Sent drafts of `kinds` in the period joined to their mention, with the wait in seconds."""
    wait = seconds_between(session, Draft.sent_at, mention_time()).label("wait")
    query = (select(wait).join(Mention, Mention.id == Draft.mention_id)
             .where(Draft.kind.in_(kinds), Draft.status == "sent", Draft.sent_at >= period.utc_start,
                    Draft.sent_at < period.utc_end))
    if brands:  # through coalesce: the replies of the period drive the join (ix_drafts_sent_at), not all of a brand
        query = query.where(func.coalesce(Mention.brand, "").in_(brands))
    if group is not None:
        by, value = group
        if by == "language":
            query = query.where(Mention.language == value)
        elif by == "source":
            query = query.where(Mention.source_type == value)
        elif by == "campaign":  # campaigns are surveys': replies belong to none
            query = query.where(literal(False))
        else:
            query = query.where(_linked_contact(Mention).in_(select(Contact.id).where(Contact.attributes[by].as_string() == value)))
    return query, wait


def _median(session: Session, query, wait) -> float | None:
    """The middle of the ordered waits, read by OFFSET (no percentile function on SQLite)."""
    count = session.scalar(select(func.count()).select_from(query.subquery()))
    if not count:
        return None
    middle = session.scalars(query.order_by(wait).limit(2 - count % 2).offset((count - 1) // 2)).all()
    return round(float(sum(middle) / len(middle)), 1)


def _reply_times(session: Session, config: Config, brands: list[str], period: Period, group) -> dict:
    replies, wait = _replies(session, brands, period, group)
    every, _ = _replies(session, brands, period, group, kinds=("reply", "follow_up"))
    average = session.scalar(select(func.avg(every.subquery().c.wait)))
    sla = config.sla
    target = case((Draft.priority >= sla.high_from_priority, sla.high.total_seconds()), else_=sla.normal.total_seconds())
    within = session.execute(replies.with_only_columns(func.count(), func.sum(case((wait <= target, 1), else_=0)),
                                                       maintain_column_froms=True)).one()
    return {"first_response_time_median_s": _median(session, replies, wait),
            "average_response_time_s": round(float(average), 1) if average is not None else None,
            "fcr": _fcr(session, config, replies),
            "sla": _percent(within[1] or 0, within[0])}


def _fcr(session: Session, config: Config, replies) -> float | None:
    """A reply resolved the contact at first if, within fcr_days of it, the same person got no second reply,
    wrote no negative mention and gave no detractor answer."""
    days = config.surveys.fcr_days * 86400.0
    later, again, other = aliased(Mention), aliased(Draft), aliased(Mention)

    def within(moment):
        gap = seconds_between(session, moment, Draft.sent_at)
        return and_(gap > 0, gap <= days)

    same_person = and_(later.source_id == Mention.source_id, later.author == Mention.author, Mention.author.is_not(None))
    negative = exists().where(same_person, later.id != Mention.id, later.sentiment_label == "negative",
                              within(func.coalesce(later.published_at, later.fetched_at)))
    second = exists().where(again.mention_id == other.id, again.kind == "reply", again.status == "sent", again.id != Draft.id,
                            other.source_id == Mention.source_id, other.author == Mention.author, Mention.author.is_not(None),
                            within(again.sent_at))
    detractor = exists().where(SurveyAnswer.contact_id == _linked_contact(Mention), SurveyAnswer.detractor.is_(True),
                               within(SurveyAnswer.answered_at))
    resolved = case((or_(negative, second, detractor), 0), else_=1)
    total, first = session.execute(replies.with_only_columns(func.count(), func.sum(resolved), maintain_column_froms=True)).one()
    return _percent(first or 0, total)


def _group_values(session: Session, config: Config, brands: list[str], period: Period, by: str) -> list:
    """The values `by` takes among the period's answers, sends and replies (sorted; None left out)."""
    if by == "language":
        values = set(session.scalars(select(SurveyAnswer.language).distinct())) | set(session.scalars(
            select(Mention.language).join(Draft, Draft.mention_id == Mention.id).where(Draft.status == "sent").distinct()))
    elif by == "campaign":
        values = set(session.scalars(select(SurveyAnswer.campaign).distinct())) | set(session.scalars(
            select(OutboxMessage.payload["campaign"].as_string()).where(OutboxMessage.kind == "survey").distinct()))
    elif by == "source":
        values = {"email"} | set(session.scalars(
            select(Mention.source_type).join(Draft, Draft.mention_id == Mention.id).where(Draft.status == "sent").distinct()))
    else:
        values = set(session.scalars(select(Contact.attributes[by].as_string()).distinct()))
    return sorted(value for value in values if value is not None)
