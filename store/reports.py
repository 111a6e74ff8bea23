"""The queries of the reports stage that differ between SQLite and PostgreSQL, and its marks."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from .mentions import insert_ignoring_conflicts
from .models import Mention, ReportMark, UTCDateTime


def mention_time_between(start: datetime, end: datetime) -> ColumnElement[bool]:
    """A mention's time is when it was published, or when it was fetched if the source gave no date. Written as
    two ranges so both read ix_mentions_published_at (NULLs are in the index) instead of scanning."""
    return or_(
        and_(Mention.published_at >= start, Mention.published_at < end),
        and_(Mention.published_at.is_(None), Mention.fetched_at >= start, Mention.fetched_at < end),
    )


def mention_time() -> ColumnElement[datetime]:
    return func.coalesce(Mention.published_at, Mention.fetched_at, type_=UTCDateTime())


def mention_utc_dates(session: Session) -> list[date]:
    """Every UTC calendar date some distinct mention falls on, as one GROUP BY in the database."""
    moment = mention_time()
    if session.get_bind().dialect.name == "sqlite":
        day = func.substr(moment, 1, 10)  # stored as "YYYY-MM-DD HH:MM:SS…" in UTC
    else:
        day = func.to_char(func.timezone("UTC", moment), "YYYY-MM-DD")
    query = select(day).where(Mention.duplicate_of_id.is_(None)).group_by(day)
    return [date.fromisoformat(value) for value in session.scalars(query) if value]


def seconds_between(session: Session, later, earlier) -> ColumnElement[float]:
    """`later - earlier` in seconds, as SQL."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


def read_marks(session: Session) -> dict[str, str]:
    return dict(session.execute(select(ReportMark.name, ReportMark.value)).all())


def write_marks(session: Session, marks: dict[str, str]) -> None:
    for name, value in marks.items():
        if session.get(ReportMark, name) is None:
            insert_ignoring_conflicts(session, ReportMark, [{"name": name, "value": str(value)}], ["name"])
        session.execute(ReportMark.__table__.update().where(ReportMark.name == name).values(value=str(value)))
