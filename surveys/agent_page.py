"""The agents' page of a survey answer (/survey-answers/<id>): the answer and comment, the person and their history
with us (earlier answers, messages we sent them), and the follow-up draft with the same decisions as a mention's
reply (approve, edit & approve, reject, escalate). Approved, the follow-up leaves as an e-mail through the outbox."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.security import local_path
from inbox.web import allowed_decisions, database, render, require
from store.access import may_see
from store.models import Contact, Draft, DraftEvent, OutboxMessage, SurveyAnswer, SurveyAnswerEvent, User

router = APIRouter()
HISTORY = 20  # earlier answers and messages shown


@router.get("/survey-answers/{answer_id}")
async def survey_answer_page(request: Request, answer_id: int, next: str = "/", user: User = Depends(require("view queue")),
                             session: Session = Depends(database)):
    answer = session.get(SurveyAnswer, answer_id)
    # belongs to no brand: hidden from a user an admin restricted to some brands, as in the queue (store/access.py)
    if answer is None or not may_see(user, None):
        raise HTTPException(404, f"Survey answer #{answer_id} does not exist.")
    contact = session.get(Contact, answer.contact_id)
    draft = session.scalar(select(Draft).where(Draft.survey_answer_id == answer_id))
    outbox = session.scalar(select(OutboxMessage).where(OutboxMessage.draft_id == draft.id)) if draft else None
    allowed = allowed_decisions(user, draft) - {"mark as sent"}
    earlier = session.scalars(select(SurveyAnswer).where(SurveyAnswer.contact_id == answer.contact_id, SurveyAnswer.id != answer_id)
                              .order_by(SurveyAnswer.answered_at.desc()).limit(HISTORY)).all()
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.contact_id == answer.contact_id)
                               .order_by(OutboxMessage.id.desc()).limit(HISTORY)).all()
    answer_events = session.scalars(select(SurveyAnswerEvent).where(SurveyAnswerEvent.answer_id == answer_id)
                                    .order_by(SurveyAnswerEvent.id)).all()
    events = session.scalars(select(DraftEvent).where(DraftEvent.draft_id == draft.id).order_by(DraftEvent.id)).all() if draft else []
    return render(request, "survey_answer.html", user, answer=answer, contact=contact, draft=draft, outbox=outbox,
                  allowed=allowed, earlier=earlier, messages=messages, answer_events=answer_events, events=events,
                  next=local_path(next))
