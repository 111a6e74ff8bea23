"""The daily rollup: distinct mentions per local day, brand, source type, language, sentiment (`mention_days`),
the terms of each day's negative and positive mentions (`term_days`) and each day's top fives (`day_tops`).

Kept exact without scanning mentions: each refresh recomputes only the days something happened to since the
last one — new mentions, new sentiment scores (scoring, rescoring), agents' corrections, edited reviews —
found by id above the marks of the last refresh, plus today and yesterday (a transaction still open at the last
refresh may have taken an id below the mark). Changing `reports.timezone` moves every day boundary: the whole
rollup is rebuilt. One day is a few DELETEs and INSERT … SELECT … GROUP BY over that day's mentions, read off
ix_mentions_published_at: a full rebuild of 1,000,000 mentions over a year is 365 of those. Terms are read from
`mention_terms`, so the term index is brought up to date first (`reports.digests.prepare`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from store.models import (DayTop, Mention, MentionDay, MentionRevision, MentionTerm, SentimentCorrection, SentimentScore,
                          TermDay, utcnow)
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


# The ranked lists of a digest: which mentions qualify and their order (ties by id, the same in a day as in a
# period, so a period's top five are exactly the best of its days' top fives).
REACH = func.coalesce(Mention.extra["score"].as_integer(), Mention.extra["thumbs_up"].as_integer(), 0)
REPLIES = func.coalesce(Mention.extra["num_comments"].as_integer(), 0)
TOP_LISTS = {
    "most_negative": (Mention.sentiment_label == "negative", (Mention.sentiment_score, Mention.id)),
    "most_reach": (REACH > 0, (REACH.desc(), Mention.id)),
    "most_discussed": (REPLIES > 0, (REPLIES.desc(), Mention.id)),
}
TOP = 5


def rebuild_day(session: Session, day: date, tz: ZoneInfo) -> None:
    """The day's counts, term counts (negative and positive mentions) and top fives, from its distinct mentions."""
    for table in (MentionDay, TermDay, DayTop):
        session.execute(delete(table).where(table.day == day))
    in_day = distinct_between(local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz))
    brand, language = func.coalesce(Mention.brand, ""), func.coalesce(Mention.language, "")
    counts = (
        select(literal(day, Date), brand, Mention.source_type, language,
               func.coalesce(Mention.sentiment_label, "unscored"), func.count())
        .where(in_day).group_by(Mention.brand, Mention.source_type, Mention.language, Mention.sentiment_label)
    )
    session.execute(insert(MentionDay).from_select(
        ["day", "brand", "source_type", "language", "sentiment", "mentions"], counts))
    terms = (
        select(literal(day, Date), brand, Mention.sentiment_label, language, MentionTerm.term_id, func.count())
        .select_from(MentionTerm).join(Mention, Mention.id == MentionTerm.mention_id)
        .where(in_day, Mention.sentiment_label.in_(("negative", "positive")))
        .group_by(Mention.brand, Mention.sentiment_label, Mention.language, MentionTerm.term_id)
    )
    session.execute(insert(TermDay).from_select(["day", "brand", "sentiment", "language", "term_id", "mentions"], terms))
    for name, (qualifies, order) in TOP_LISTS.items():
        ranked = select(Mention.id, brand.label("brand"), func.row_number().over(
            partition_by=Mention.brand, order_by=order).label("rank")).where(in_day, qualifies).subquery()
        session.execute(insert(DayTop).from_select(["day", "brand", "list", "mention_id"], select(
            literal(day, Date), ranked.c.brand, literal(name), ranked.c.id).where(ranked.c.rank <= TOP)))


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
