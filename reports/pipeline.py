"""The reports stage as plain functions: what the `digests` flow, `careloop digest` and the demo call."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from careloop.config import Config
from store.db import session_scope
from store.models import Mention, utcnow
from store.reports import mention_time

from .alerts import check_alerts
from .digests import BuiltDigest, build_digest, due_digests, prepare, record_digest
from .periods import ending_on, local_day


@dataclass
class ReportsRun:
    digests: list[BuiltDigest] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)  # kind, brand, source_type, source_name, explanation, link
    queued: int = 0  # messages put in the outbox


def run_reports(engine: Engine, config: Config, *, now: datetime | None = None) -> ReportsRun:
    """Whatever is due now: terms and rollup brought up to date, alerts raised, due digests built and recorded."""
    now = now or utcnow()
    run = ReportsRun()
    with session_scope(engine) as session:
        prepare(session, config, now=now)
        for alert in check_alerts(session, config, now=now):
            run.alerts.append({"kind": alert.kind, "brand": alert.brand, "source_type": alert.source_type,
                               "source_name": alert.source_name, "explanation": alert.explanation,
                               "link": alert.details.get("link")})
        for digest, period in due_digests(session, config, now):
            built = build_digest(session, config, digest.name, digest.brands, period, digest.language)
            if record_digest(session, built, digest.brands) is not None:
                run.digests.append(built)
            session.commit()
    return run


def newest_day(engine: Engine, config: Config) -> date | None:
    """The local day of the newest stored mention (the demo's data is years old: its digest ends there)."""
    with session_scope(engine) as session:
        newest = session.scalar(select(func.max(mention_time())).where(Mention.duplicate_of_id.is_(None)))
    return local_day(newest, ZoneInfo(config.reports.timezone)) if newest else None


def digest_by_hand(engine: Engine, config: Config, brands: list[str], days: int, until: date, *, language: str = "en",
                   rebuild: bool = False) -> BuiltDigest:
    """`careloop digest`: the figures of `brands` over `days` local days ending with the day `until`."""
    period = ending_on(until, days, config.reports.timezone)
    with session_scope(engine) as session:
        prepare(session, config, rebuild=rebuild)
        name = "manual-" + ("-".join(brands) or "all")
        return build_digest(session, config, name, brands, period, language)
