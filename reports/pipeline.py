"""The reports stage as plain functions: what the `digests` flow, `careloop digest` and the demo call."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from careloop.config import Config
from store.db import session_scope
from store.models import Mention, utcnow
from store.reports import mention_time, not_duplicate

from .alerts import check_alerts
from .delivery import queue_alert, queue_digest, send_queued
from .digests import BuiltDigest, build_digest, due_digests, prepare, record_digest
from .periods import PERIOD_DAYS, ending_on, local_day


@dataclass
class ReportsRun:
    digests: list[BuiltDigest] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)  # kind, brand, source_type, source_name, explanation, link
    queued: int = 0  # messages put in the outbox
    delivery: dict = field(default_factory=dict)  # the outbox's counts: sent, failed, retrying, uncertain …


def run_reports(engine: Engine, config: Config, *, now: datetime | None = None, channels=None) -> ReportsRun:
    """Whatever is due now: terms and rollup brought up to date, alerts raised and queued, due digests built,
    recorded and queued (each in one transaction with its outbox rows), then the outbox delivers them."""
    now = now or utcnow()
    run = ReportsRun()
    with session_scope(engine) as session:
        prepare(session, config, now=now)
        for alert in check_alerts(session, config, now=now):
            run.queued += queue_alert(session, config, alert)
            session.commit()
            run.alerts.append({"kind": alert.kind, "brand": alert.brand, "source_type": alert.source_type,
                               "source_name": alert.source_name, "explanation": alert.explanation,
                               "link": alert.details.get("link")})
        for digest, period in due_digests(session, config, now):
            built = build_digest(session, config, digest.name, digest.brands, period, digest.language)
            row = record_digest(session, built, digest.brands)
            if row is not None:  # None: another worker recorded (and queued) it first
                run.queued += queue_digest(session, config, row, built, digest.subscribers)
                run.digests.append(built)
            session.commit()
    run.delivery = send_queued(engine, config, channels)
    return run


def newest_day(session: Session, config: Config, brands: list[str]) -> date | None:
    """The local day of the brands' newest stored mention (the demo's data is years old: its digest ends there)."""
    query = select(func.max(mention_time())).where(not_duplicate())
    newest = session.scalar(query.where(Mention.brand.in_(brands)) if brands else query)
    return local_day(newest, ZoneInfo(config.reports.timezone)) if newest else None


def demo_digests(engine: Engine, config: Config, out_dir: Path) -> dict:
    """`careloop demo`: each configured digest over the period ending on its brands' newest mention, written to
    `out_dir` (HTML, text, PNG) and delivered through the outbox to an SMTP server the demo runs on loopback.
    A digest already recorded for that period is written again but not sent again."""
    from publishing.sink import SmtpSink

    written: list[Path] = []
    queued = 0
    with SmtpSink() as sink:
        demo = sink.route(config)
        with session_scope(engine) as session:
            prepare(session, demo)
            for digest in demo.reports.digests:
                last = newest_day(session, demo, digest.brands)
                if last is None:
                    continue
                period = ending_on(last, PERIOD_DAYS[digest.period], demo.reports.timezone)
                built = build_digest(session, demo, digest.name, digest.brands, period, digest.language)
                written += built.write(out_dir)
                row = record_digest(session, built, digest.brands)
                if row is not None:
                    queued += queue_digest(session, demo, row, built, digest.subscribers)
                session.commit()
        delivery = send_queued(engine, demo)
    return {"written": written, "queued": queued, "received": sink.count, "sink": f"{sink.host}:{sink.port}", **delivery}


def digest_by_hand(engine: Engine, config: Config, brands: list[str], days: int, until: date, *, language: str = "en",
                   rebuild: bool = False) -> BuiltDigest:
    """`careloop digest`: the figures of `brands` over `days` local days ending with the day `until`."""
    period = ending_on(until, days, config.reports.timezone)
    with session_scope(engine) as session:
        prepare(session, config, rebuild=rebuild)
        name = "manual-" + ("-".join(brands) or "all")
        return build_digest(session, config, name, brands, period, language)
