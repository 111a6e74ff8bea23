"""careloop.yaml's sections on outgoing messages: e-mail, webhooks, the outbox, the one contact policy, notices.
Imported through careloop.config, which validates the whole file."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from careloop.durations import Duration
from careloop.strict import Strict

CONSENT_KINDS = ("service", "survey", "marketing")


class EmailSettings(Strict):
    """SMTP relay for every e-mail careloop sends. The login comes from the environment, never from this file."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    host: str = "localhost"
    port: int = Field(default=587, gt=0, lt=65536)
    security: Literal["none", "starttls", "ssl"] = "starttls"
    username_env: str = "CARELOOP_SMTP_USER"  # variables holding the login; unset: no login
    password_env: str = "CARELOOP_SMTP_PASSWORD"
    sender: str = Field(alias="from", min_length=3)  # "Nokia Care <care@example.com>"
    reply_to: str | None = None
    rate_per_minute: int = Field(default=0, ge=0)  # 0: no limit (a relay's limit goes here)
    # SMTP sessions at once in a delivery run: more help with a distant relay (each message waits for three
    # replies); on loopback one is best (threads fight over the GIL: 1.9 → 4.9 ms of CPU per message with four).
    connections: int = Field(default=1, ge=1, le=32)
    timeout_seconds: float = Field(default=30, gt=0)


class WebhookSettings(Strict):
    """One place careloop posts to: a status page, a chat bridge, Slack or Teams incoming webhooks."""

    url: str = Field(pattern=r"^https?://")
    format: Literal["generic", "slack", "teams"] = "generic"
    secret_env: str | None = None  # generic: variable holding the HMAC secret for X-Careloop-Signature
    timeout_seconds: float = Field(default=10, gt=0)

    @model_validator(mode="after")
    def _generic_is_signed(self) -> WebhookSettings:
        if self.format == "generic" and not self.secret_env:
            raise ValueError("a generic webhook is signed: set secret_env to the variable holding its secret")
        return self


class OutboxSettings(Strict):
    max_attempts: int = Field(default=6, ge=1)  # temporary errors are retried this often in all
    retry_seconds: float = Field(default=60, ge=0)  # first back-off; doubles per attempt, at most 6 hours
    lease_minutes: float = Field(default=15, gt=0)  # a claim older than this belongs to a run that died


class ContactPolicy(Strict):
    """One policy for every message a customer gets from us (notices, surveys, review requests …)."""

    window_days: float = Field(default=30, gt=0)
    max_per_window: int = Field(default=2, ge=0)  # non-exempt messages per person per window
    min_gap_days: float = Field(default=3, ge=0)  # between any two messages before a non-exempt one
    exempt: list[Literal["service", "survey", "marketing"]] = ["service"]  # not limited, but counted


class EmergingIssues(Strict):
    """Bursts of negative mentions about one thing no known issue covers (notices/emerging.py). Similarities are
    cosines of e5 embeddings centred on the brand's usual traffic, where unrelated complaints sit near 0 and
    complaints about one fault near 0.5 or above, in any language."""

    enabled: bool = True
    window: Duration = timedelta(hours=48)  # the recent mentions searched for a burst
    baseline: Duration = timedelta(days=28)  # usual traffic: the time before the window
    min_mentions: int = Field(default=5, ge=2)  # a burst has at least this many negative mentions
    factor: float = Field(default=3.0, gt=1)  # … and this many times what the baseline leads to expect
    similarity: float = Field(default=0.5, gt=0, lt=1)  # a member's cosine to the burst's centroid
    link: float = Field(default=0.3, gt=0, lt=1)  # cosine that joins two mentions or two groups into one


class NoticesSettings(Strict):
    templates_dir: Path | None = None  # default: templates/notices of this repository
    fallback_language: str = "en"  # a contact whose language has no templates gets this one
    webhooks: list[str] = []  # names under `webhooks:` that get every approved notice too (e.g. a status page)
    emerging: EmergingIssues = Field(default_factory=lambda: EmergingIssues())
