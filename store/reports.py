"""The queries of the reports stage that differ between SQLite and PostgreSQL, and its marks."""
from __future__ import annotations

from datetime import date, datetime
from typing import Iterable

from sqlalchemy import ColumnElement, and_, func, select, union_all
from sqlalchemy.orm import Session

from .mentions import insert_ignoring_conflicts
from .models import Mention, ReportMark, UTCDateTime


def distinct_between(start: datetime, end: datetime, brands: Iterable[str] = ()) -> ColumnElement[bool]:
    """WHERE clause: distinct mentions (linked duplicates left out) of `brands` (none: every brand) whose time —
    published, or fetched when the source gave no date — lies in [start, end).

    Written for SQLite without statistics (careloop never runs ANALYZE): the ids come from ranges on
    ix_mentions_brand_published_at / ix_mentions_published_at (NULLs are in the index), and the duplicate test is
    a coalesce no index serves, so the planner cannot pick ix_mentions_duplicate_of_id for "IS NULL" — which it
    takes for selective and which matches nearly every mention (a day of a 20,000-mention year took 24 ms that
    way, 1 ms this way)."""
    brands = list(brands)

    def ids(*conditions):
        query = select(Mention.id).where(*conditions)
        return query.where(Mention.brand.in_(brands)) if brands else query

    in_range = union_all(ids(Mention.published_at >= start, Mention.published_at < end),
                         ids(Mention.published_at.is_(None), Mention.fetched_at >= start, Mention.fetched_at < end))
    return and_(Mention.id.in_(in_range), not_duplicate())


def not_duplicate() -> ColumnElement[bool]:
    return func.coalesce(Mention.duplicate_of_id, 0) == 0


def mention_time() -> ColumnElement[datetime]:
    return func.coalesce(Mention.published_at, Mention.fetched_at, type_=UTCDateTime())


def mention_utc_dates(session: Session) -> list[date]:
    """Every UTC calendar date some distinct mention falls on, as one GROUP BY in the database."""
    moment = mention_time()
    if session.get_bind().dialect.name == "sqlite":
        day = func.substr(moment, 1, 10)  # stored as "YYYY-MM-DD HH:MM:SS…" in UTC
    else:
        day = func.to_char(func.timezone("UTC", moment), "YYYY-MM-DD")
    query = select(day).where(not_duplicate()).group_by(day)
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
