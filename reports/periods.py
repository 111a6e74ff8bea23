"""Periods of whole local days in `reports.timezone`: a digest's days begin at local midnight, so a mention
written at 00:30 on Tuesday in Prague (22:30 on Monday in UTC) counts for Tuesday."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from careloop.durations import parse_duration

PERIOD_DAYS = {"daily": 1, "weekly": 7}


class PeriodError(ValueError):
    """A period or date given by the user is not understood; the message names it and what is expected."""


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC moment a local day begins (a DST change never falls on midnight in Europe; where it does,
    zoneinfo picks the first valid reading)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


@dataclass(frozen=True)
class Period:
    """Local days [start, end) in `timezone`."""

    start: date
    end: date
    timezone: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def utc_start(self) -> datetime:
        return local_midnight(self.start, self.tz)

    @property
    def utc_end(self) -> datetime:
        return local_midnight(self.end, self.tz)

    def day_list(self) -> list[date]:
        return [self.start + timedelta(days=offset) for offset in range(self.days)]

    def shifted(self, days: int) -> Period:
        return Period(self.start + timedelta(days=days), self.end + timedelta(days=days), self.timezone)

    def previous(self) -> Period:
        """The period of the same length just before: what "change" compares with."""
        return self.shifted(-self.days)

    def before(self, days: int) -> Period:
        return Period(self.start - timedelta(days=days), self.start, self.timezone)

    def label(self) -> str:
        last = self.end - timedelta(days=1)
        return self.start.isoformat() if self.days == 1 else f"{self.start.isoformat()} – {last.isoformat()}"

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days,
                "timezone": self.timezone, "label": self.label()}


def parse_length(text: str) -> int:
    """"7d", "1w", "2w", "30d" → days. Periods are whole local days."""
    try:
        length = parse_duration(text)
    except ValueError:
        length = timedelta(0)
    days, rest = divmod(length.total_seconds(), 86400)
    if rest or not 1 <= days <= 366:
        raise PeriodError(f"period {text!r} is not understood: expected whole days or weeks up to a year, "
                          f"such as 1d, 7d, 2w, 30d")
    return int(days)


def parse_until(text: str | None, tz: ZoneInfo, now: datetime) -> date:
    """The last local day of a period: a date (YYYY-MM-DD, that whole day included), an ISO date-time, or
    nothing for today."""
    if not text:
        return local_day(now, tz)
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"--until {text!r} is not a date: expected YYYY-MM-DD or an ISO date-time") from None
    return local_day(moment if moment.tzinfo else moment.replace(tzinfo=tz), tz)


def ending_on(last_day: date, days: int, timezone_name: str) -> Period:
    return Period(last_day - timedelta(days=days - 1), last_day + timedelta(days=1), timezone_name)


def parse_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"{what} {text!r} is not a date: expected YYYY-MM-DD") from None
