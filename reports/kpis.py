"""Care KPIs a digest shows where the data exists. First response time comes from mentions and the replies sent
to them; CSAT, NPS, CES and SLA % come with surveys and SLA targets and are None (shown as absent) until then."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Draft, Mention
from store.reports import mention_time, seconds_between

from .periods import Period

ABSENT = ("csat", "nps", "ces", "sla_pct")


def care_kpis(session: Session, brands: list[str], period: Period) -> dict:
    current = first_response_median(session, brands, period)
    previous = first_response_median(session, brands, period.previous())
    return {
        "first_response_time_median_s": {
            "current": current, "previous": previous,
            "change": current - previous if current is not None and previous is not None else None},
        **{name: None for name in ABSENT},
    }


def first_response_median(session: Session, brands: list[str], period: Period) -> float | None:
    """Median seconds from a mention's time to its reply being sent, over replies sent in the period (the
    middle row of the ordered waits, read by OFFSET: no percentile function on SQLite)."""
    wait = seconds_between(session, Draft.sent_at, mention_time()).label("wait")
    query = (select(wait).join(Mention, Mention.id == Draft.mention_id)
             .where(Draft.sent_at >= period.utc_start, Draft.sent_at < period.utc_end))
    if brands:  # through coalesce: the replies of the period drive the join (ix_drafts_sent_at), not all of a brand
        query = query.where(func.coalesce(Mention.brand, "").in_(brands))
    count = session.scalar(select(func.count()).select_from(query.subquery()))
    if not count:
        return None
    middle = session.scalars(query.order_by(wait).limit(2 - count % 2).offset((count - 1) // 2)).all()
    return float(sum(middle) / len(middle))
