"""The daily rollup (`mention_days`): distinct mentions per local day, brand, source type, language, sentiment.

Kept exact without scanning mentions: each refresh recomputes only the days something happened to since the
last one — new mentions, new sentiment scores (scoring, rescoring), agents' corrections, edited reviews —
found by id above the marks of the last refresh, plus today and yesterday (a transaction still open at the last
refresh may have taken an id below the mark). Changing `reports.timezone` moves every day boundary: the whole
rollup is rebuilt. One day is one DELETE and one INSERT … SELECT … GROUP BY over that day's mentions, read off
ix_mentions_published_at: a full rebuild of 1,000,000 mentions over a year is 365 of those.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from store.models import Mention, MentionDay, MentionRevision, SentimentCorrection, SentimentScore, utcnow
from store.reports import distinct_between, mention_time, mention_utc_dates, read_marks, write_marks

from .periods import local_day, local_midnight

# Tables whose new rows change a mention's figures, with the mention id column each carries.
WATCHED = {"mentions": (Mention.id, Mention.id), "scores": (SentimentScore.id, SentimentScore.mention_id),
           "corrections": (SentimentCorrection.id, SentimentCorrection.mention_id),
           "revisions": (MentionRevision.id, MentionRevision.mention_id)}
FULL_REBUILD_ABOVE = 200_000  # changed mentions; past this, reading each one's day costs more than rebuilding


@dataclass
class Refreshed:
    days: int
    full: bool


def refresh_rollup(session: Session, timezone_name: str, *, now: datetime | None = None, full: bool = False) -> Refreshed:
    """Bring mention_days up to date. Idempotent; commits."""
    tz = ZoneInfo(timezone_name)
    now = now or utcnow()
    marks = read_marks(session)
    heads = {name: session.scalar(select(func.max(id_column))) or 0 for name, (id_column, _) in WATCHED.items()}
    full = full or marks.get("rollup.timezone") != timezone_name
    changed = 0 if full else sum(heads[name] - int(marks.get(f"rollup.{name}", 0)) for name in WATCHED)
    if full or changed > FULL_REBUILD_ABOVE:
        full = True
        session.execute(delete(MentionDay))
        days = _all_days(session, tz)
    else:
        days = _changed_days(session, tz, marks, heads)
        today = local_day(now, tz)
        days |= {today, today - timedelta(days=1)}
    for day in sorted(days):
        rebuild_day(session, day, tz)
    write_marks(session, {"rollup.timezone": timezone_name, "rollup.refreshed_at": now.isoformat(timespec="seconds"),
                          **{f"rollup.{name}": heads[name] for name in WATCHED}})
    session.commit()
    return Refreshed(days=len(days), full=full)


def rebuild_day(session: Session, day: date, tz: ZoneInfo) -> None:
    session.execute(delete(MentionDay).where(MentionDay.day == day))
    counts = (
        select(literal(day, Date), func.coalesce(Mention.brand, ""), Mention.source_type,
               func.coalesce(Mention.language, ""), func.coalesce(Mention.sentiment_label, "unscored"), func.count())
        .where(distinct_between(local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)))
        .group_by(Mention.brand, Mention.source_type, Mention.language, Mention.sentiment_label)
    )
    session.execute(insert(MentionDay).from_select(
        ["day", "brand", "source_type", "language", "sentiment", "mentions"], counts))


def _all_days(session: Session, tz: ZoneInfo) -> set[date]:
    """Local days that may hold mentions: a UTC date's mentions fall on that local date or the one beside it."""
    return {utc_date + timedelta(days=shift) for utc_date in mention_utc_dates(session) for shift in (-1, 0, 1)}


def _changed_days(session: Session, tz: ZoneInfo, marks: dict[str, str], heads: dict[str, int]) -> set[date]:
    days: set[date] = set()
    for name, (id_column, mention_id) in WATCHED.items():
        mark = int(marks.get(f"rollup.{name}", 0))
        if heads[name] <= mark:
            continue
        query = select(mention_time()).where(id_column > mark, id_column <= heads[name])
        if id_column is not Mention.id:
            query = query.select_from(id_column.table).join(Mention, Mention.id == mention_id)
        days |= {local_day(moment, tz) for moment in session.scalars(query.distinct())}
    return days
