"""Alerts: "something is happening" per brand and source type, and sources that stopped succeeding.

A spike is measured against the same hour of the week in the previous `baseline_weeks` weeks (Monday 9:00 against
the last four Mondays at 9:00), so a busy Monday morning that is always busy does not alarm:
- volume: at least `min_count` mentions in the window and more than `volume_factor` × the highest usual count;
- negative share: at least `min_count` negative mentions and a negative share `negative_share_points` above the
  usual share (negatives over scored mentions of the baseline windows together).
Windows end on a 15-minute step, so every worker evaluating the same moment sees the same window, and the alert is
unique per (kind, brand, source type, window end): raised once. After an alert, the same kind for the same brand
and source type stays quiet for `cooldown`: a spike that lasts the afternoon alerts once.
A source type's spike is reported per source type; the brand as a whole alerts only when no single source
type explains it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from careloop.config import AlertsConfig, Config
from store.mentions import insert_ignoring_conflicts
from ingest.health import stale_sources
from store.models import Alert, Mention, MentionTerm, Run, Term, utcnow
from store.reports import distinct_between

from .render import messages

STEP = timedelta(minutes=15)
ALL = ""  # source_type of a brand-wide alert
TOP_TERMS = 3


@dataclass
class Counts:
    total: int = 0
    scored: int = 0
    negative: int = 0

    def add(self, sentiment: str | None, count: int) -> None:
        self.total += count
        if sentiment is not None:
            self.scored += count
            self.negative += count if sentiment == "negative" else 0


def window_end(now: datetime) -> datetime:
    epoch = datetime(2000, 1, 3, tzinfo=timezone.utc)  # a Monday, on a step boundary
    return epoch + ((now - epoch) // STEP) * STEP


def check_alerts(session: Session, config: Config, *, now: datetime | None = None) -> list[Alert]:
    """Raise every spike and stale source due now; returns the alerts new in this run (to deliver). Commits."""
    settings = config.reports.alerts
    if not settings.enabled:
        return []
    now = now or utcnow()
    end = window_end(now)
    start = end - settings.window
    rows = [*_spikes(session, config, settings, start, end), *_stale(session, config, settings, now)]
    new = []
    for row in rows:
        if _cooling_down(session, row, settings, now):
            continue
        inserted = insert_ignoring_conflicts(session, Alert, [row], ["kind", "brand", "source_type", "source_name", "window_end"])
        new += [session.get(Alert, alert_id) for alert_id in inserted]
    session.commit()
    return new


def _window_counts(session: Session, start: datetime, end: datetime) -> dict[tuple[str, str], Counts]:
    """(brand, source type) → counts, with (brand, ALL) for the brand as a whole."""
    query = (select(Mention.brand, Mention.source_type, Mention.sentiment_label, func.count())
             .where(distinct_between(start, end), Mention.brand.is_not(None))
             .group_by(Mention.brand, Mention.source_type, Mention.sentiment_label))
    counts: dict[tuple[str, str], Counts] = {}
    for brand, source_type, sentiment, count in session.execute(query):
        for scope in ((brand, source_type), (brand, ALL)):
            counts.setdefault(scope, Counts()).add(sentiment, count)
    return counts


def _spikes(session: Session, config: Config, settings: AlertsConfig, start: datetime, end: datetime) -> list[dict]:
    now_counts = _window_counts(session, start, end)
    weeks = [_window_counts(session, start - timedelta(weeks=k), end - timedelta(weeks=k))
             for k in range(1, settings.baseline_weeks + 1)]
    words = messages(settings.language)
    minutes = int(settings.window.total_seconds() // 60)
    found: dict[tuple[str, str, str], dict] = {}
    for scope, counts in sorted(now_counts.items(), key=lambda item: item[0][1] == ALL):
        brand, source_type = scope
        usual = [week.get(scope, Counts()) for week in weeks]
        usual_totals = [week.total for week in usual]
        usual_negatives = [week.negative for week in usual]
        usual_scored = sum(week.scored for week in usual)
        usual_share = sum(usual_negatives) / usual_scored * 100 if usual_scored else 0.0
        share = counts.negative / counts.scored * 100 if counts.scored else 0.0
        checks = {
            "volume": counts.total >= settings.min_count and counts.total > settings.volume_factor * max(usual_totals),
            "negative_share": counts.negative >= settings.min_count
            and share >= usual_share + settings.negative_share_points,
        }
        for kind, spiking in checks.items():
            if not spiking or (source_type == ALL and any(key[:2] == (kind, brand) for key in found)):
                continue
            low, high = (min(usual_totals), max(usual_totals)) if kind == "volume" else (min(usual_negatives), max(usual_negatives))
            count = counts.total if kind == "volume" else counts.negative
            parts = [words["alert_volume"].format(count=count, minutes=minutes, low=low, high=high) if kind == "volume"
                     else words["alert_negative_share"].format(count=count, minutes=minutes, share=round(share),
                                                               total=counts.total, low=low, high=high,
                                                               usual_share=round(usual_share))]
            terms = _top_terms(session, brand, source_type, start, end, negative=kind == "negative_share")
            if terms:
                parts.append(words["alert_top_terms"].format(terms=", ".join(f"‘{term}’" for term in terms)))
            parts.append(_where(session, words, brand, source_type, start, end, negative=kind == "negative_share"))
            found[(kind, brand, source_type)] = {
                "kind": kind, "brand": brand, "source_type": source_type, "source_name": "",
                "window_start": start, "window_end": end, "count": count, "usual_low": low, "usual_high": high,
                "explanation": "; ".join(parts),
                "details": {"total": counts.total, "negative": counts.negative, "share": share, "usual_share": usual_share,
                            "usual": usual_totals if kind == "volume" else usual_negatives, "terms": terms,
                            "link": inbox_link(config, brand, source_type, negative=kind == "negative_share")},
            }
    return list(found.values())


def _top_terms(session: Session, brand: str, source_type: str, start: datetime, end: datetime, *, negative: bool) -> list[str]:
    query = (select(Term.display).select_from(MentionTerm).join(Mention, Mention.id == MentionTerm.mention_id)
             .join(Term, Term.id == MentionTerm.term_id)
             .where(distinct_between(start, end, [brand]),
                    Term.words == 1)
             .group_by(Term.id, Term.display).order_by(func.count().desc(), Term.display).limit(TOP_TERMS))
    if source_type != ALL:
        query = query.where(Mention.source_type == source_type)
    if negative:
        query = query.where(Mention.sentiment_label == "negative")
    return list(session.scalars(query))


def _where(session: Session, words: dict, brand: str, source_type: str, start: datetime, end: datetime, *,
           negative: bool) -> str:
    """"on reddit" for a source type's alert; "12 from reddit" (the largest source type) for a brand's."""
    if source_type != ALL:
        return words["alert_on"].format(source=source_type)
    query = (select(Mention.source_type, func.count()).where(
        distinct_between(start, end, [brand]))
        .group_by(Mention.source_type).order_by(func.count().desc(), Mention.source_type).limit(1))
    if negative:
        query = query.where(Mention.sentiment_label == "negative")
    top = session.execute(query).first()
    return words["alert_from"].format(count=top[1], source=top[0]) if top else ""


def inbox_link(config: Config, brand: str, source_type: str, *, negative: bool) -> str:
    query = {"brand": brand, **({"source_type": source_type} if source_type != ALL else {}),
             **({"sentiment": "negative"} if negative else {})}
    return f"{config.reports.inbox_url.rstrip('/')}/?{urlencode(query)}"


def _cooling_down(session: Session, row: dict, settings: AlertsConfig, now: datetime) -> bool:
    if row["kind"] == "stale_source":
        return False  # one alert per stale episode: the unique window end is the last success
    since = now - settings.cooldown
    return session.scalar(select(func.count()).select_from(Alert).where(
        Alert.kind == row["kind"], Alert.brand == row["brand"], Alert.source_type == row["source_type"],
        Alert.window_end > since, Alert.window_end != row["window_end"])) > 0


def _stale(session: Session, config: Config, settings: AlertsConfig, now: datetime) -> list[dict]:
    """Sources stale by `ingest.health` (no success for longer than their `stale_after`): one alert per outage,
    keyed by the last success (or, for a source that never succeeded, its first run)."""
    stale = stale_sources(session, config, now)
    first_runs = dict(session.execute(select(Run.source_name, func.min(Run.started_at)).where(
        Run.source_name.in_([item["name"] for item in stale])).group_by(Run.source_name)).all()) if stale else {}
    words = messages(settings.language)
    brands = {source.name: source.brand for source in config.sources}
    alerts = []
    for item in stale:
        succeeded = item["last_success_at"] is not None
        since = datetime.fromisoformat(item["last_success_at"]) if succeeded else first_runs[item["name"]]
        alerts.append({
            "kind": "stale_source", "brand": brands.get(item["name"]) or "", "source_type": item["type"],
            "source_name": item["name"], "window_start": since, "window_end": since, "count": 0,
            "usual_low": None, "usual_high": None,
            "explanation": words["alert_stale" if succeeded else "alert_stale_never"].format(
                source=item["name"], type=item["type"], since=since.strftime("%Y-%m-%d %H:%M UTC"),
                stale_after=item["stale_after"]),
            "details": {"last_success": item["last_success_at"], "last_error": item["last_error"],
                        "silent_for": item["silent_for"]},
        })
    return alerts
