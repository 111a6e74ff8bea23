"""`careloop stats --json` → surveys_by_status: survey and review-request sends by outbox status, plus `answered`
(sends with a recorded score)."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from publishing.outbox import counts_by_status
from store.models import OutboxMessage, SurveyAnswer

from .compose import SURVEY_KINDS


def survey_stats(session: Session) -> dict:
    answered = session.scalar(select(func.count()).select_from(SurveyAnswer).where(SurveyAnswer.score.is_not(None)))
    return {"surveys_by_status": {**counts_by_status(session, SURVEY_KINDS), "answered": int(answered or 0)}}


def campaign_counts(session: Session) -> dict[str, dict[str, int]]:
    """campaign name → {outbox status: sends, "answered": n}."""
    result: dict[str, dict[str, int]] = {}
    rows = session.execute(select(OutboxMessage.campaign, OutboxMessage.status, func.count())
                           .where(OutboxMessage.kind.in_(SURVEY_KINDS)).group_by(OutboxMessage.campaign, OutboxMessage.status))
    for campaign, status, count in rows:
        result.setdefault(campaign.removeprefix("survey:"), {})[status] = count
    answers = session.execute(select(SurveyAnswer.campaign, func.count()).where(SurveyAnswer.score.is_not(None))
                              .group_by(SurveyAnswer.campaign))
    for campaign, count in answers:
        result.setdefault(campaign, {})["answered"] = count
    return result
