"""careloop.yaml's `reports:` section: digests and alerts for marketing (README "Digests and alerts"). Imported through
careloop.config, which validates the whole file."""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import Field, field_validator

from careloop.durations import Duration
from careloop.strict import Strict, as_list

EMAIL = r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$"  # one plain address, nothing a header could be smuggled in


class DigestConfig(Strict):
    """One digest: who gets it, about which brands, how often and in which language."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    brands: list[str] = []  # empty: all brands together
    period: Literal["daily", "weekly"] = "daily"
    send_at: str = Field(default="08:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")  # local time (reports.timezone)
    weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "monday"
    language: Literal["en", "cs", "sk", "ru"] = "en"
    subscribers: list[Annotated[str, Field(pattern=EMAIL)]] = Field(min_length=1)  # staff addresses

    _lists = field_validator("brands", mode="before")(as_list)


class AlertsConfig(Strict):
    """Spikes per brand and source type against the same hour of the week in earlier weeks, and stale sources."""

    enabled: bool = True
    subscribers: list[Annotated[str, Field(pattern=EMAIL)]] = []
    webhooks: list[str] = []  # names under `webhooks:` (Slack, Teams, generic) that get every alert too
    language: Literal["en", "cs", "sk", "ru"] = "en"
    window: Duration = timedelta(hours=1)  # "the last hour": 15m to 1d
    baseline_weeks: int = Field(default=4, ge=1, le=12)
    min_count: int = Field(default=10, ge=1)  # fewer mentions (negative ones, for a negative-share spike) never alert
    volume_factor: float = Field(default=2.0, gt=1)  # volume above this × the highest usual count
    negative_share_points: float = Field(default=25, gt=0, le=100)  # negative share this many points above usual
    cooldown: Duration = timedelta(hours=6)  # one alert per brand, source type and kind in this time


    @field_validator("window")
    @classmethod
    def _window_between_15_minutes_and_a_day(cls, value: timedelta) -> timedelta:
        if not timedelta(minutes=15) <= value <= timedelta(days=1):
            raise ValueError("expected a window from 15m to 1d")
        return value


class ReportsConfig(Strict):
    timezone: str = "UTC"  # IANA name: where a digest's days begin and end
    inbox_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s\"'<>]+$")  # links in digests
    digests: list[DigestConfig] = []
    alerts: AlertsConfig = AlertsConfig()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; expected an IANA name such as Europe/Prague or UTC") from None
        return value

    @field_validator("digests")
    @classmethod
    def _unique_names(cls, value: list[DigestConfig]) -> list[DigestConfig]:
        names = [digest.name for digest in value]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"digest names must be unique; repeated: {repeated}")
        return value
