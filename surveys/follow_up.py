"""Closing the loop: a detractor's answer (surveys.detractors) or a negative comment opens one `survey_follow_up`
draft in the agents' queue — high priority, in the person's language, linked to the answer — which an agent edits
and approves like any draft; it then leaves as an e-mail through the outbox (drafting/decisions.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from careloop.config import Config
from store.audit import DraftAction
from store.models import Contact, Draft, DraftEvent, SurveyAnswer

from .compose import render_follow_up, survey_language

KIND = "survey_follow_up"
PRIORITY = 2000  # above every mention's reply (a negative mention scores 1000 and up): someone told us directly


def open_follow_up(session: Session, config: Config, answer: SurveyAnswer, at: datetime, why: str | None = None) -> bool:
    """One pending follow-up per answer, whatever happens later (an answer changed back keeps it: an agent
    decides). Returns whether one was opened now."""
    if session.scalar(select(Draft.id).where(Draft.survey_answer_id == answer.id)) is not None:
        return False
    survey = config.surveys.definitions.get(answer.survey)
    contact = session.get(Contact, answer.contact_id)
    if survey is None or contact is None:  # the survey left careloop.yaml, or the contact was erased
        return False
    language = survey_language(config, answer.language)
    parts = render_follow_up(config, survey, language, name=contact.name, comment=answer.comment)
    reason = why or f"{answer.kind.upper()} {answer.score}: a detractor"
    draft = Draft(mention_id=None, survey_answer_id=answer.id, kind=KIND, campaign=f"survey:{answer.campaign}",
                  status="pending", reason=reason, template=f"{language}/follow_up.txt", language=language, text=parts["text"],
                  subject=parts["subject"], check_failures=[], priority=PRIORITY,
                  created_at=at, updated_at=at)
    session.add(draft)
    session.flush()
    session.add(DraftEvent(draft_id=draft.id, mention_id=None, at=at, actor="careloop", action=DraftAction.DRAFTED,
                           to_status="pending", text_after=parts["text"], note=reason))
    session.flush()
    return True
