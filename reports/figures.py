"""Every figure of a digest, computed in the database: sums over the daily rollup (`mention_days`, `term_days`),
the period's top mentions chosen among its days' top fives (`day_tops`), and the replies sent in the period.

Definitions (the README repeats them):
- volume: distinct mentions (a story arriving through two sources counts once) whose time — published, or
  fetched when the source gave no date — falls in the period's local days; change against the period of the
  same length just before.
- sentiment shares and net sentiment are over scored mentions: net = (positive − negative) / scored × 100.
- negative share "usual": the negative share of the 28 days before the period (four of each weekday).
- share of voice: a brand's mentions over the mentions of every configured brand in the period.
"""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from careloop.config import Config
from store.models import DayTop, KnownIssueRecord, Mention, MentionDay, Term, TermDay
from store.reports import mention_time

from .kpis import care_kpis
from .periods import Period
from .rollup import REACH, REPLIES, TOP_LISTS

SENTIMENTS = ("negative", "neutral", "positive")
USUAL_DAYS = 28
TOP_MENTIONS = 5
SNIPPET = 280
TOP_TERMS, TOP_PHRASES, MIN_TERM_MENTIONS = 8, 5, 2


def build_figures(session: Session, config: Config, brands: list[str], period: Period) -> dict:
    """The digest of `brands` (empty: every brand) over `period`, as plain JSON-ready data."""
    previous = period.previous()
    current_days = _sums(session, brands, period, MentionDay.day, MentionDay.sentiment)
    inbox = config.reports.inbox_url.rstrip("/")
    return {
        "brands": list(brands),
        "period": period.as_dict(),
        "previous_period": previous.as_dict(),
        "volume": _change(sum(n for _, _, n in current_days), _total(session, brands, previous)),
        "by_source_type": _breakdown(session, brands, period, MentionDay.source_type),
        "by_language": _breakdown(session, brands, period, MentionDay.language),
        "sentiment": _sentiment(current_days),
        "trend": _trend(period, current_days),
        "negative_share": _negative_share(session, brands, period),
        "share_of_voice": _share_of_voice(session, config, period),
        "top_mentions": _top_mentions(session, brands, period, inbox),
        "terms": {label: top_terms(session, brands, period, label) for label in ("negative", "positive")},
        "known_issues": _known_issues(session, brands, period),
        "kpis": care_kpis(session, config, brands, period),
        "links": _links(inbox, brands),
    }


def chart_figures(session: Session, config: Config, brands: list[str], period: Period, chart: str) -> list[dict]:
    """The rows behind one chart (or table) of the Digests tab, computed alone: what its PNG and CSV show."""
    if chart == "trend":
        return _trend(period, _sums(session, brands, period, MentionDay.day, MentionDay.sentiment))
    if chart == "voice":
        return _share_of_voice(session, config, period)
    return _breakdown(session, brands, period, {"sources": MentionDay.source_type, "languages": MentionDay.language}[chart])


CHART_KEYS = {"trend": "trend", "sources": "by_source_type", "languages": "by_language", "voice": "share_of_voice"}


def _sums(session: Session, brands: list[str], period: Period, *columns) -> list[tuple]:
    query = select(*columns, func.sum(MentionDay.mentions)).where(MentionDay.day >= period.start,
                                                                 MentionDay.day < period.end)
    if brands:
        query = query.where(MentionDay.brand.in_(brands))
    return [tuple(row) for row in session.execute(query.group_by(*columns).order_by(*columns))]


def _total(session: Session, brands: list[str], period: Period) -> int:
    query = select(func.coalesce(func.sum(MentionDay.mentions), 0)).where(
        MentionDay.day >= period.start, MentionDay.day < period.end)
    return session.scalar(query.where(MentionDay.brand.in_(brands)) if brands else query)


def _change(current: int, previous: int) -> dict:
    return {"current": current, "previous": previous, "change": current - previous,
            "change_pct": (current - previous) / previous * 100 if previous else None}


def _share(part: int, whole: int) -> float | None:
    return part / whole * 100 if whole else None


def _breakdown(session: Session, brands: list[str], period: Period, column) -> list[dict]:
    """Per source type (or language): mentions now and in the previous period, with the share of now."""
    now = dict(_sums(session, brands, period, column))
    before = dict(_sums(session, brands, period.previous(), column))
    total = sum(now.values())
    rows = [{"name": name or "unknown", **_change(now.get(name, 0), before.get(name, 0)),
             "share": _share(now.get(name, 0), total)} for name in set(now) | set(before)]
    return sorted(rows, key=lambda row: (-row["current"], -row["previous"], row["name"]))


def _sentiment(per_day: list[tuple]) -> dict:
    counts = {label: 0 for label in (*SENTIMENTS, "unscored")}
    for _, label, count in per_day:
        counts[label if label in SENTIMENTS else "unscored"] += count
    scored = sum(counts[label] for label in SENTIMENTS)
    return {**counts, "scored": scored, "shares": {label: _share(counts[label], scored) for label in SENTIMENTS},
            "net": _net(counts["positive"], counts["negative"], scored)}


def _net(positive: int, negative: int, scored: int) -> float | None:
    return (positive - negative) / scored * 100 if scored else None


def _trend(period: Period, rows: list[tuple]) -> list[dict]:
    """One entry per local day of the period, days without mentions included (zeros, net None)."""
    per_day: dict[date, dict[str, int]] = {day: {} for day in period.day_list()}
    for day, label, count in rows:
        bucket = per_day[day]
        key = label if label in SENTIMENTS else "unscored"
        bucket[key] = bucket.get(key, 0) + count
    trend = []
    for day, counts in per_day.items():
        entry = {label: counts.get(label, 0) for label in (*SENTIMENTS, "unscored")}
        scored = sum(entry[label] for label in SENTIMENTS)
        trend.append({"day": day.isoformat(), **entry, "total": scored + entry["unscored"],
                      "net": _net(entry["positive"], entry["negative"], scored)})
    return trend


def _negative_share(session: Session, brands: list[str], period: Period) -> dict:
    def share(of: Period) -> tuple[float | None, int]:
        counts = dict(_sums(session, brands, of, MentionDay.sentiment))
        scored = sum(counts.get(label, 0) for label in SENTIMENTS)
        return _share(counts.get("negative", 0), scored), counts.get("negative", 0)

    current, negatives = share(period)
    usual, _ = share(period.before(USUAL_DAYS))
    return {"current": current, "negative": negatives, "usual": usual, "usual_days": USUAL_DAYS,
            "points": current - usual if current is not None and usual is not None else None}


def _share_of_voice(session: Session, config: Config, period: Period) -> list[dict]:
    names = [brand.name for brand in config.brands]
    now = dict(_sums(session, names, period, MentionDay.brand))
    before = dict(_sums(session, names, period.previous(), MentionDay.brand))
    total_now, total_before = sum(now.values()), sum(before.values())
    rows = []
    for name in names:
        share, previous_share = _share(now.get(name, 0), total_now), _share(before.get(name, 0), total_before)
        rows.append({"brand": name, "mentions": now.get(name, 0), "share": share, "previous_share": previous_share,
                     "change_points": share - previous_share if share is not None and previous_share is not None else None})
    return rows


def _known_issues(session: Session, brands: list[str], period: Period) -> list[dict]:
    """The registry's issues not resolved before the period began: still open, or resolved during it (a fix in
    the week is news too). Open ones first. (Not filtered on creation: issues declared in careloop.yaml are
    recorded when first read, which says nothing about when they began.)"""
    query = (select(KnownIssueRecord.title, KnownIssueRecord.status, KnownIssueRecord.link)
             .where(or_(KnownIssueRecord.resolved_at.is_(None), KnownIssueRecord.resolved_at >= period.utc_start))
             .order_by(KnownIssueRecord.resolved_at.is_not(None), KnownIssueRecord.created_at))
    if brands:
        query = query.where(or_(KnownIssueRecord.brand.is_(None), KnownIssueRecord.brand.in_(brands)))
    return [row._asdict() for row in session.execute(query)]


def _top_mentions(session: Session, brands: list[str], period: Period, inbox: str) -> dict[str, list[dict]]:
    """Most negative (lowest score), most reach (Reddit score, Google Play thumbs-up), most discussed (comments
    the platform counted): the best of the period's days' top fives, each linking to the mention in the inbox."""
    columns = (Mention.id, Mention.brand, Mention.source_type, Mention.language, Mention.author, Mention.title,
               func.substr(Mention.text, 1, SNIPPET).label("snippet"), mention_time().label("at"),
               Mention.sentiment_label, Mention.sentiment_score, REACH.label("reach"), REPLIES.label("replies"))
    tops = {}
    for name, (_, order) in TOP_LISTS.items():
        candidates = select(DayTop.mention_id).where(DayTop.day >= period.start, DayTop.day < period.end,
                                                     DayTop.list == name)
        if brands:
            candidates = candidates.where(DayTop.brand.in_(brands))
        query = select(*columns).where(Mention.id.in_(candidates)).order_by(*order).limit(TOP_MENTIONS)
        tops[name] = [{**row._asdict(), "at": row.at.isoformat(), "link": f"{inbox}/mentions/{row.id}"}
                      for row in session.execute(query)]
    return tops


def top_terms(session: Session, brands: list[str], period: Period, label: str) -> list[dict]:
    """The most frequent words and phrases in the period's `label` mentions, per language (languages with the
    most such mentions first). A term counts once per mention and shows when two or more mentions use it."""
    mentions = func.sum(TermDay.mentions)
    ranked = (
        select(TermDay.language, Term.words, Term.display, mentions.label("mentions"),
               func.row_number().over(partition_by=(TermDay.language, Term.words),
                                      order_by=(mentions.desc(), Term.display)).label("rank"))
        .join(Term, Term.id == TermDay.term_id)
        .where(TermDay.day >= period.start, TermDay.day < period.end, TermDay.sentiment == label)
        .group_by(TermDay.language, Term.words, Term.id, Term.display)
        .having(mentions >= MIN_TERM_MENTIONS)
    )
    if brands:
        ranked = ranked.where(TermDay.brand.in_(brands))
    ranked = ranked.subquery()
    rows = session.execute(select(ranked).where(ranked.c.rank <= max(TOP_TERMS, TOP_PHRASES))
                           .order_by(ranked.c.language, ranked.c.words, ranked.c.rank)).all()
    per_language: dict[str, dict] = {}
    for row in rows:
        entry = per_language.setdefault(row.language or "unknown", {"language": row.language or "unknown",
                                                                     "terms": [], "phrases": []})
        kind, limit = ("terms", TOP_TERMS) if row.words == 1 else ("phrases", TOP_PHRASES)
        if len(entry[kind]) < limit:
            entry[kind].append({"term": row.display, "mentions": row.mentions})
    weight = {(language or "unknown"): count for language, sentiment, count
              in _sums(session, brands, period, MentionDay.language, MentionDay.sentiment) if sentiment == label}
    return sorted(per_language.values(), key=lambda entry: (-weight.get(entry["language"], 0), entry["language"]))


def _links(inbox: str, brands: list[str]) -> dict[str, str]:
    """Into the agents' inbox, filtered to what the digest is about."""
    query = {"brand": brands[0]} if len(brands) == 1 else {}
    return {"inbox": f"{inbox}/?{urlencode(query)}" if query else f"{inbox}/",
            "negative": f"{inbox}/?{urlencode({**query, 'sentiment': 'negative'})}",
            "reports": f"{inbox}/reports/digests" + (f"?{urlencode(query)}" if query else "")}
