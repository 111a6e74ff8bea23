"""The KPIs tab of /reports: every KPI of reports/kpis.py for a brand and date range (default: the 12 weeks ending
with the newest mention's day), its trend per week, and a breakdown by language, source, campaign or a contact
attribute. Read-only, for every role that sees reports; runs in the thread pool (a page is a few dozen queries)."""
from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.orm import Session

from inbox.web import database, render, require
from store.models import User

from .kpis import DIMENSIONS, KPI_KEYS, kpis
from .periods import Period
from .web import cell, chosen_brand, reports_config, selection

router = APIRouter()
DEFAULT_WEEKS = 12
LABELS = {"csat": "CSAT %", "nps": "NPS", "ces": "CES", "response_rate": "Response rate %",
          "first_response_time_median_s": "First response (median)", "average_response_time_s": "Average response",
          "fcr": "FCR %", "sla": "SLA %"}


def shown(key: str, value) -> str:
    """A KPI as the page shows it: durations in hours, the rest as figures; "–" for no data."""
    if value is None:
        return "–"
    if key.endswith("_s"):
        return f"{value / 3600:.1f} h"
    return cell(float(value))


@router.get("/reports/kpis")
def kpis_tab(request: Request, user: User = Depends(require("view reports")), session: Session = Depends(database)):
    config = reports_config(request, session, user)
    brands, period = selection(request, session, config, user, default_days=7 * DEFAULT_WEEKS)
    by = (request.query_params.get("by") or "language").strip()
    if not by.replace("_", "").isalnum():
        raise HTTPException(400, f"by {by!r}: expected one of {list(DIMENSIONS)} or a contact attribute name.")
    overall = kpis(session, config, brands, period, by)
    weeks = []
    start = period.start
    while start < period.end:
        week = Period(start, min(start + timedelta(days=7), period.end), period.timezone)
        weeks.append((week, kpis(session, config, brands, week)))
        start = week.end
    return render(request, "kpis.html", user, keys=KPI_KEYS, labels=LABELS, shown=shown, all=overall["all"],
                  groups=overall["by"], weeks=weeks, by=by, dimensions=DIMENSIONS, brand_choices=[b.name for b in config.brands],
                  brand=chosen_brand(request), first=period.start.isoformat(),
                  last=(period.end - timedelta(days=1)).isoformat(), timezone=period.timezone)
