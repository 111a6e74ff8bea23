"""Digests: computed once (figures), delivered three ways (e-mail, Prefect artifact, Digests tab), recorded so
that a re-run sends nothing twice.

A configured digest is due once its period is over and its local send time (`send_at`, on `weekday` for weekly
ones) has passed; a run does the latest due period of each digest that was not built yet (a scheduler that was
down for three days sends the newest digest, not three stale ones).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from careloop.config import Config, DigestConfig
from store.mentions import insert_ignoring_conflicts
from store.models import Digest, utcnow

from .charts import render_charts
from .figures import build_figures
from .periods import PERIOD_DAYS, Period, ending_on, local_day
from .render import messages, render_digest, subject
from .rollup import refresh_rollup
from .terms import index_terms

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass
class BuiltDigest:
    name: str
    language: str
    figures: dict
    subject: str
    html: str  # charts referenced as cid:<name>
    text: str
    charts: dict[str, bytes] = field(default_factory=dict)

    def write(self, directory: Path) -> list[Path]:
        """<slug>.html (charts as files beside it), <slug>.txt and <slug>-<chart>.png into `directory`."""
        directory.mkdir(parents=True, exist_ok=True)
        slug = file_slug(f"{self.name}-{self.figures['period']['start']}")
        html, _ = render_digest(self.figures, self.language, image=lambda chart: f"{slug}-{chart}.png")
        written = [directory / f"{slug}.html", directory / f"{slug}.txt"]
        written[0].write_text(html, encoding="utf-8")
        written[1].write_text(self.text, encoding="utf-8")
        for chart, png in self.charts.items():
            path = directory / f"{slug}-{chart}.png"
            path.write_bytes(png)
            written.append(path)
        return written


def file_slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "digest"


def prepare(session: Session, config: Config, *, now: datetime | None = None, rebuild: bool = False) -> None:
    """What every digest and alert reads: terms of new mentions indexed, the daily rollup brought up to date."""
    index_terms(session, [term for brand in config.brands for term in brand.terms])
    refresh_rollup(session, config.reports.timezone, now=now, full=rebuild)


def build_digest(session: Session, config: Config, name: str, brands: list[str], period: Period,
                 language: str = "en") -> BuiltDigest:
    figures = build_figures(session, config, brands, period)
    charts = render_charts(figures, messages(language))
    html, text = render_digest(figures, language, image=lambda chart: f"cid:{chart}")
    return BuiltDigest(name=name, language=language, figures=figures, subject=subject(figures, language),
                       html=html, text=text, charts=charts)


def due_period(digest: DigestConfig, timezone_name: str, now: datetime) -> Period:
    """The latest period of `digest` whose send time has passed."""
    days = PERIOD_DAYS[digest.period]
    tz = ZoneInfo(timezone_name)
    local_now = now.astimezone(tz)
    send_at = time.fromisoformat(digest.send_at)
    send_day = local_day(now, tz)
    if digest.period == "weekly":
        send_day -= timedelta(days=(send_day.weekday() - WEEKDAYS.index(digest.weekday)) % 7)
    if send_day == local_now.date() and local_now.time() < send_at:
        send_day -= timedelta(days=days)
    return ending_on(send_day - timedelta(days=1), days, timezone_name)


def record_digest(session: Session, built: BuiltDigest, brands: list[str]) -> Digest | None:
    """Store the digest once per (name, period); None when another run stored it first (that run sends it)."""
    period = built.figures["period"]
    inserted = insert_ignoring_conflicts(session, Digest, [{
        "name": built.name, "brands": list(brands), "period_start": date.fromisoformat(period["start"]),
        "period_end": date.fromisoformat(period["end"]), "timezone": period["timezone"], "language": built.language,
        "figures": built.figures, "built_at": utcnow()}], ["name", "period_start", "period_end"])
    return session.get(Digest, inserted[0]) if inserted else None


def due_digests(session: Session, config: Config, now: datetime) -> list[tuple[DigestConfig, Period]]:
    """Configured digests whose latest due period has not been built yet."""
    due = []
    for digest in config.reports.digests:
        period = due_period(digest, config.reports.timezone, now)
        built = session.scalar(select(Digest.id).where(Digest.name == digest.name, Digest.period_start == period.start,
                                                       Digest.period_end == period.end))
        if built is None:
            due.append((digest, period))
    return due
