"""Tables of surveys: one answer per survey send (the outbox row of the e-mail), every click on an answer link (the
scanner rule reads them) and the answer's audit trail. A send is an outbox row of kind `survey` (or
`review_request`): its status is the send's status, its payload names the campaign, survey and language."""
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from ..audit import checked
from .base import Base, UTCDateTime, utcnow


class SurveyAnswer(Base):
    """The last score a person gave for one send (`score` None: every click so far was discarded as a link
    scanner's), their optional comment with its sentiment, and whether it made them a detractor."""

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    send_id: Mapped[int] = mapped_column(Integer, unique=True)  # the outbox row (no foreign key: outbox → drafts → here)
    contact_id: Mapped[int] = mapped_column(Integer, index=True)  # no foreign key: erasing a contact keeps the KPI
    campaign: Mapped[str] = mapped_column(String(40), index=True)
    survey: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))  # csat | nps | ces
    language: Mapped[str] = mapped_column(String(8))
    score: Mapped[int | None] = mapped_column(Integer)
    detractor: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    comment_sentiment: Mapped[str | None] = mapped_column(String(10))  # negative | neutral | positive, once scored
    comment_confidence: Mapped[float | None] = mapped_column(Float)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SurveyAnswerEvent(Base):
    """Audit: answered, changed (last wins), commented, scanner_burst (clicks discarded), follow_up."""

    __tablename__ = "survey_answer_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("survey_answers.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(20))
    score_before: Mapped[int | None] = mapped_column(Integer)
    score_after: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)

    @validates("action")
    def _catalogued(self, key: str, action: str) -> str:  # store/audit.py: a misspelt action fails where written
        return checked(self.__tablename__, action)


class SurveyClick(Base):
    """Every GET of an answer link, recorded or not: several different scores for one send within
    surveys.burst_seconds are a mail scanner following every link."""

    __tablename__ = "survey_clicks"

    id: Mapped[int] = mapped_column(primary_key=True)
    send_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


Index("ix_survey_clicks_send_at", SurveyClick.send_id, SurveyClick.at)
