"""The Digests tab of /reports: the digest's figures and charts for any brand and date range, and the CSV of the
figures behind every chart. Read-only; every role that sees reports sees it.

The page reads the daily rollup (sums of a few thousand rows whatever the range) and the period's top mentions
and terms; each chart is its own request (PNG drawn by matplotlib from the same rows its CSV holds). Routes run in
the thread pool: drawing a chart takes ~100 ms of CPU that must not hold the event loop.
"""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from careloop.config import Brand, Config
from inbox.web import database, render, require
from store.access import brand_limit
from store.models import Mention, User, utcnow
from store.reports import read_marks

from .charts import DRAW
from .figures import CHART_KEYS, build_figures, chart_figures
from .periods import Period, PeriodError, local_day, parse_date
from .render import duration, messages
from .unsubscribe import PATH, read_token, unsubscribe

router = APIRouter()
DEFAULT_DAYS = 7
CSV_COLUMNS = {
    "trend": ["day", "negative", "neutral", "positive", "unscored", "total", "net"],
    "sources": ["name", "current", "previous", "change", "change_pct", "share"],
    "languages": ["name", "current", "previous", "change", "change_pct", "share"],
    "voice": ["brand", "mentions", "share", "previous_share", "change_points"],
}


def reports_config(request: Request, session: Session, user: User) -> Config:
    """The app's careloop.yaml; without one (an inbox started on a bare database), the brands found in it. A user
    an admin restricted to some brands (store/access.py) gets only those: menus, figures, share of voice, KPIs."""
    config = request.app.state.config
    if config is None:
        names = session.scalars(select(Mention.brand).where(Mention.brand.is_not(None)).distinct().order_by(Mention.brand))
        config = Config(brands=[Brand(name=name, keywords=[name]) for name in names] or [Brand(name="-", keywords=["-"])])
    limit = brand_limit(user)
    if limit is None:
        return config
    if not set(limit) & {brand.name for brand in config.brands}:
        raise HTTPException(403, "Your account may see no configured brand: ask an admin which brands it should see.")
    return config.model_copy(update={"brands": [brand for brand in config.brands if brand.name in limit]})


def chosen_brand(request: Request) -> str:
    """The brand picked in the menu ("": all, or all a restricted user may see); `selection` checks it."""
    return (request.query_params.get("brand") or "").strip()


def selection(request: Request, session: Session, config: Config, user: User,
              default_days: int = DEFAULT_DAYS) -> tuple[list[str], Period]:
    """brand (one configured brand, or none for all; for a user restricted to some brands, theirs) and from/to
    (local days, both included) from the query. Without dates: the 7 days ending with the newest mention's day, so a
    quiet or old database shows something."""
    params = request.query_params
    brand = chosen_brand(request)
    if brand and brand not in {b.name for b in config.brands}:
        raise HTTPException(400, f"brand {brand!r} is not one of {[b.name for b in config.brands]}.")
    tz = ZoneInfo(config.reports.timezone)
    try:
        last = parse_date(params["to"], "to") if params.get("to") else _newest_day(session, tz)
        first = parse_date(params["from"], "from") if params.get("from") else last - timedelta(days=default_days - 1)
    except PeriodError as error:
        raise HTTPException(400, f"{error}.") from None
    if first > last or (last - first).days > 366:
        raise HTTPException(400, f"from {first} to {last}: the first day must come before the last, at most a year apart.")
    every = [] if brand_limit(user) is None else [b.name for b in config.brands]  # []: every brand there is
    return ([brand] if brand else every), Period(first, last + timedelta(days=1), config.reports.timezone)


def _newest_day(session: Session, tz: ZoneInfo) -> date:
    newest = session.scalar(select(func.max(Mention.published_at)).where(Mention.published_at <= utcnow()))
    return local_day(newest or utcnow(), tz)


def _query(brand: str, period: Period) -> str:
    return urlencode({"brand": brand, "from": period.start.isoformat(), "to": (period.end - timedelta(days=1)).isoformat()})


@router.get("/reports/digests")
def digests_tab(request: Request, user: User = Depends(require("view reports")), session: Session = Depends(database)):
    config = reports_config(request, session, user)
    brands, period = selection(request, session, config, user)
    figures = build_figures(session, config, brands, period)
    marks, brand = read_marks(session), chosen_brand(request)
    return render(request, "digests.html", user, f=figures, t=messages("en"), query=_query(brand, period), cell=cell,
                  duration=duration, brand_choices=[b.name for b in config.brands], brand=brand,
                  first=period.start.isoformat(), last=(period.end - timedelta(days=1)).isoformat(),
                  refreshed_at=marks.get("rollup.refreshed_at"))


def _chart(chart: str, known, request: Request, session: Session, user: User) -> tuple[list[str], Period, list[dict]]:
    if chart not in known:
        raise HTTPException(404, f"There is no chart {chart!r}.")
    config = reports_config(request, session, user)
    brands, period = selection(request, session, config, user)
    return brands, period, chart_figures(session, config, brands, period, chart)


@router.get("/reports/digests/{chart}.png")
def chart_png(chart: str, request: Request, user: User = Depends(require("view reports")), session: Session = Depends(database)):
    _, _, rows = _chart(chart, DRAW, request, session, user)
    return Response(DRAW[chart]({CHART_KEYS[chart]: rows}, messages("en")), media_type="image/png")


@router.get("/reports/digests/{chart}.csv")
def chart_csv(chart: str, request: Request, user: User = Depends(require("view reports")), session: Session = Depends(database)):
    brands, period, rows = _chart(chart, CSV_COLUMNS, request, session, user)
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS[chart], extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: cell(row.get(key)) for key in CSV_COLUMNS[chart]})
    name = f"{chart}-{'-'.join(brands) or 'all'}-{period.start}-{period.end - timedelta(days=1)}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@router.get(PATH + "{token}")
def unsubscribe_page(token: str, request: Request):
    """Where the link leads in a browser: one button, so a link scanner's GET unsubscribes nobody."""
    found = read_token(token)
    if found is None:
        raise HTTPException(404, "This unsubscribe link is not valid.")
    return render(request, "digest_unsubscribe.html", None, address=found[0], digest=found[1], done=False)


@router.post(PATH + "{token}")
def unsubscribe_post(token: str, request: Request, session: Session = Depends(database)):
    """RFC 8058 one-click (the mail client posts List-Unsubscribe=One-Click), or the button above."""
    found = read_token(token)
    if found is None:
        raise HTTPException(404, "This unsubscribe link is not valid.")
    unsubscribe(session, *found)
    session.commit()
    return render(request, "digest_unsubscribe.html", None, address=found[0], digest=found[1], done=True)


def cell(value) -> str:
    """One figure as the page and the CSV both show it: whole numbers, shares to one decimal, blank for none."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return str(value)
    # A leading = + - @ makes a spreadsheet run the cell as a formula; names come from mentions' metadata.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
