"""careloop.yaml: loaded once, validated, errors that name the file, the key and what was expected.

Secrets never live here: connectors read them from the environment or Prefect blocks.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from careloop.durations import Duration, parse_duration
from careloop.inbox_settings import InboxSettings
from careloop.strict import Strict
from careloop.understanding_config import KnowledgeConfig, RelevanceConfig, TopicsConfig
from careloop.survey_settings import SlaSettings, SurveysSettings

DEFAULT_CONFIG = "careloop.yaml"
SUPPORTED_LANGUAGES = ("en", "cs", "sk", "ru", "de", "pl", "uk", "fr", "es", "it", "pt", "hu")


class ConfigError(ValueError):
    """careloop.yaml is missing or invalid; the message names the file and the key."""


def is_cron(schedule: str) -> bool:
    """A schedule is a cron expression ("*/15 * * * *") or an interval ("15m", "10s")."""
    return len(schedule.split()) > 1


def schedule_interval(schedule: str) -> timedelta:
    """An interval schedule's interval; for cron, the longest gap between two runs within a week, or within its
    first 200 runs when it fires more often (what "3 × its schedule" means for "0 9 * * 1-5", whose gaps differ)."""
    if not is_cron(schedule):
        return parse_duration(schedule)
    from cronsim import CronSim, CronSimError

    try:
        runs = CronSim(schedule, datetime(2026, 1, 5, tzinfo=timezone.utc))  # a Monday: a week covers every weekday
        times = [next(runs) for _ in range(2)]
        while times[-1] < times[0] + timedelta(days=7) and len(times) < 200:
            times.append(next(runs))
    except (CronSimError, StopIteration) as exc:
        raise ValueError(f"not a cron schedule ({exc}): expected five fields such as \"*/15 * * * *\", "
                         f"or an interval such as \"15m\"") from None
    return max(later - earlier for earlier, later in zip(times, times[1:]))


def _checked_schedule(value: str) -> str:
    if schedule_interval(value) <= timedelta(0):
        raise ValueError("an interval schedule must be longer than 0s")
    return value.strip()


class StageSchedules(Strict):
    """When `careloop schedule` runs each stage (cron, or an interval such as "30s"); prefect.yaml has its own."""

    score: str = "*/5 * * * *"
    draft: str = "*/5 * * * *"
    publish: str = "*/2 * * * *"
    notices: str = "*/5 * * * *"
    surveys: str = "*/5 * * * *"  # due survey rounds queued and delivered, comments scored
    digests: str = "*/15 * * * *"  # alerts and whatever digest is due
    emerging: str = "*/15 * * * *"  # bursts of negative mentions no known issue covers
    relevance: str = "0 * * * *"  # retrains the per-brand relevance models on agents' decisions

    _schedules = field_validator("*")(lambda cls, value: _checked_schedule(value))


class Brand(Strict):
    name: str = Field(min_length=1)
    keywords: list[str] = Field(min_length=1)
    aliases: list[str] = []
    exclude: list[str] = []
    languages: list[str] = []  # empty: any configured language
    products: list[str] = []  # model names drafts may name ("XR21"): the first one a mention names is its product
    description: str = ""  # a sentence or two on what the brand is: what "about us" means (understanding/relevance.py)

    @property
    def terms(self) -> list[str]:
        return [*self.keywords, *self.aliases]


class SourceConfig(Strict):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    type: str
    url: str | None = None
    path: Path | None = None
    schedule: str = "*/15 * * * *"
    enabled: bool = True
    # Review sources are about one brand's shop or app: every item belongs to it, no keyword needed.
    brand: str | None = None
    timeout_seconds: float = Field(default=20, gt=0)  # per request: connect, and between two reads
    deadline_seconds: float = Field(default=300, gt=0)  # the whole fetch of this source, every page and back-off
    # A failed fetch is tried again after each delay (a Prefect task retry; Reddit's per-request back-off is
    # options.retries).
    fetch_retry_delays: list[float] = Field(default=[5, 30], max_length=10)
    # No successful run for longer than this: reported as stale (default: 3 × the schedule's interval).
    stale_after: Duration | None = None
    options: dict[str, Any] = {}

    _schedule = field_validator("schedule")(lambda cls, value: _checked_schedule(value))

    @property
    def stale_age(self) -> timedelta:
        return self.stale_after or 3 * schedule_interval(self.schedule)

    @property
    def location(self) -> str:
        return str(self.path) if self.path is not None else (self.url or "")


class SentimentSettings(Strict):
    # "default": the offline e5 encoder + careloop's head; or a Hugging Face model id / local path.
    model: str = "default"
    # mentions scored per claimed batch; default: 256 on the CPU, 8,192 on a GPU (which wants work)
    batch_size: int | None = Field(default=None, gt=0, le=65_536)
    quantize: bool = False  # int8 dynamic quantization: faster on CPU, slightly less accurate
    device: Literal["auto", "cpu", "cuda"] = "auto"  # auto: a CUDA GPU when torch sees one, else the CPU
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"  # on CUDA; see sentiment/README.md


class RunsSettings(Strict):
    keep_days: int = Field(default=30, gt=0)  # the run log (one row per source per run) is pruned after this


class Config(Strict):
    database: str | None = None
    sentiment: SentimentSettings = SentimentSettings()
    topics: TopicsConfig = TopicsConfig()
    relevance: RelevanceConfig = RelevanceConfig()
    knowledge: KnowledgeConfig = KnowledgeConfig()
    runs: RunsSettings = RunsSettings()
    schedules: StageSchedules = StageSchedules()
    languages: list[str] = ["en", "cs", "sk", "ru", "de", "pl"]
    brands: list[Brand] = Field(min_length=1)
    sources: list[SourceConfig] = []
    known_issues: list[KnownIssue] = []
    replies: RepliesConfig = Field(default_factory=lambda: RepliesConfig())  # defined below with drafting's classes
    reports: ReportsConfig = Field(default_factory=lambda: ReportsConfig())  # defined below: digests and alerts
    # Outgoing messages (defined below): where links point, how e-mail and webhooks leave, one contact policy.
    public_url: str | None = Field(default=None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
    email: EmailSettings | None = None
    webhooks: dict[str, WebhookSettings] = {}
    outbox: OutboxSettings = Field(default_factory=lambda: OutboxSettings())
    contact_policy: ContactPolicy = Field(default_factory=lambda: ContactPolicy())
    notices: NoticesSettings = Field(default_factory=lambda: NoticesSettings())
    surveys: SurveysSettings = SurveysSettings()  # careloop/survey_settings.py
    sla: SlaSettings = SlaSettings()
    inbox: InboxSettings = InboxSettings()  # careloop/inbox_settings.py: after a decision, undo window
    path: Path | None = Field(default=None, exclude=True)  # where it was loaded from

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in SUPPORTED_LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language code(s) {unknown}; expected ISO 639-1 codes from {list(SUPPORTED_LANGUAGES)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        from connectors import connector_types

        names = [source.name for source in self.sources]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ValueError(f"source names must be unique; repeated: {duplicated}")
        brand_names = {brand.name for brand in self.brands}
        types = connector_types()
        for index, source in enumerate(self.sources):
            if source.type not in types:
                raise ValueError(f"sources[{index}] ({source.name}): unknown type {source.type!r}; expected one of {types}")
            if source.brand is not None and source.brand not in brand_names:
                raise ValueError(f"sources[{index}] ({source.name}): brand {source.brand!r} is not among brands {sorted(brand_names)}")
        return self

    @model_validator(mode="after")
    def _replies_name_brands(self) -> Config:
        brand_names = {brand.name for brand in self.brands}
        named = [(f"known_issues[{i}]", issue.brand) for i, issue in enumerate(self.known_issues) if issue.brand]
        named += [(f"replies.brands.{name}", name) for name in self.replies.brands]
        named += [(f"replies.rules[{i}]", name) for i, rule in enumerate(self.replies.rules) for name in rule.brand]
        named += [(f"reports.digests[{i}]", name) for i, digest in enumerate(self.reports.digests) for name in digest.brands]
        named += [(f"surveys.definitions.{key}", survey.brand) for key, survey in self.surveys.definitions.items() if survey.brand]
        for key, name in named:
            if name not in brand_names:
                raise ValueError(f"{key}: brand {name!r} is not among brands {sorted(brand_names)}")
        for index, rule in enumerate(self.replies.rules):
            unknown = [topic for topic in rule.topic if topic not in self.topics.names]
            if unknown:
                raise ValueError(f"replies.rules[{index}].topic: {unknown} are not topics {self.topics.names} "
                                 "(add them under topics.examples)")
        for key, names in (("notices.webhooks", self.notices.webhooks), ("reports.alerts.webhooks", self.reports.alerts.webhooks)):
            for name in names:
                if name not in self.webhooks:
                    raise ValueError(f"{key}: {name!r} is not among webhooks {sorted(self.webhooks)}")
        mailed = [f"reports.digests[{i}]" for i, digest in enumerate(self.reports.digests)]
        mailed += ["reports.alerts.subscribers"] if self.reports.alerts.subscribers else []
        if mailed and self.email is None:
            raise ValueError(f"{mailed[0]} sends e-mail, but there is no `email:` section (host, port, security, from)")
        return self

    def database_url(self) -> str:
        """CARELOOP_DATABASE_URL wins; else `database:`; else a SQLite file beside the config."""
        url = os.environ.get("CARELOOP_DATABASE_URL") or self.database
        base = self.path.parent if self.path else Path.cwd()
        if not url:
            return f"sqlite:///{(base / 'var' / 'careloop.db').resolve()}"
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            return f"sqlite:///{(base / url.removeprefix('sqlite:///')).resolve()}"
        return url

    def brand(self, name: str) -> Brand:
        return next(brand for brand in self.brands if brand.name == name)


def config_path(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get("CARELOOP_CONFIG") or DEFAULT_CONFIG)


def load_config(explicit: str | Path | None = None) -> Config:
    path = config_path(explicit)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found (set --config or CARELOOP_CONFIG)") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    return parse_config(data, path)


def parse_config(data: Any, path: Path) -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: invalid configuration:\n{_describe(exc)}") from None
    # Relative source paths are relative to the file, so a config works from any directory.
    sources = [
        source.model_copy(update={"path": (path.parent / source.path).resolve()})
        if source.path is not None and not source.path.is_absolute() else source
        for source in config.sources
    ]
    knowledge = config.knowledge
    if knowledge.path is not None and not knowledge.path.is_absolute():
        knowledge = knowledge.model_copy(update={"path": (path.parent / knowledge.path).resolve()})
    if knowledge.path is not None and not knowledge.path.is_dir():
        raise ConfigError(f"{path}: knowledge.path: {knowledge.path} is not a folder (a folder of markdown articles, "
                          "relative to this file)")
    return config.model_copy(update={"sources": sources, "knowledge": knowledge, "path": path.resolve()})


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key (check the spelling)"
        elif error["type"] == "missing":
            message = "required key is missing"
        elif "input" in error and error["type"] not in ("value_error",):
            message = f"{message} (got {error['input']!r})"
        lines.append(f"  - {key}: {message}")
    return "\n".join(lines)


# --- Drafting and publishing (templates/replies/README.md explains the rule table) ---------------------------

def _as_list(value: Any) -> Any:
    """`language: cs` and `language: [cs, sk]` both read as a list."""
    return [value] if isinstance(value, str) else value


class KnownIssue(Strict):
    """A problem the brand already knows about: mentions that match get the "we're aware" reply. Declared here,
    it is upserted by `key` into the known-issue registry on every load (notices/issues.py) and read-only there."""

    title: str = Field(min_length=1)
    key: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$")  # default: a slug of the title
    brand: str | None = None  # None: any brand
    products: list[str] = []  # when given, one of them must appear too ("G42")
    # Word beginnings, so "restart" also matches "restartuje"; a list for every language or one per language.
    keywords: list[str] | dict[str, list[str]] = Field(min_length=1)
    status: Literal["investigating", "fixing", "fixed"] = "investigating"
    note: dict[str, str] = Field(min_length=1)  # public note per language; "en" is the fallback
    link: str | None = None
    audience: str | None = None  # rule over contact attributes (careloop/rules.py), e.g. platform == "android"

    @field_validator("audience")
    @classmethod
    def _audience_parses(cls, value: str | None) -> str | None:
        from careloop.rules import parse_rule

        if value is not None:
            parse_rule(value)  # a RuleError names the rule and what is wrong with it
        return value

    @property
    def product(self) -> str | None:
        return self.products[0] if self.products else None


class TemplateRule(Strict):
    """One row of the template table: every condition given must hold; the first matching row wins.
    `template` may contain `{lang}`, replaced by the mention's language."""

    template: str = Field(min_length=1)
    sentiment: list[Literal["negative", "neutral", "positive"]] = []
    language: list[str] = []
    source_type: list[str] = []
    brand: list[str] = []
    min_rating: float | None = None
    max_rating: float | None = None
    keywords: list[str] = []  # any of them, as word beginnings
    known_issue: bool | None = None
    question: bool | None = None
    topic: list[str] = []  # understanding/taxonomy.py names (delivery, repair, …) or careloop.yaml `topics`

    _lists = field_validator("sentiment", "language", "source_type", "brand", "keywords", "topic", mode="before")(_as_list)


class BrandReplies(Strict):
    sign_as: str = ""  # first name of the signing agent
    links: dict[str, str] = {}  # e.g. support, contact: offered in templates, must be on allowed_links


DEFAULT_QUESTION_WORDS = {
    "en": ["how", "why", "when", "where", "what", "which", "can", "could", "does", "do", "is there", "any way", "anyone know"],
    "cs": ["jak", "proč", "kdy", "kde", "co", "který", "která", "dá se", "můžete", "nevíte", "poradí"],
    "sk": ["ako", "prečo", "kedy", "kde", "čo", "ktorý", "ktorá", "dá sa", "môžete", "neviete", "poradí"],
    "ru": ["как", "почему", "когда", "где", "что", "какой", "какая", "можно", "подскажите", "кто-нибудь"],
}
# Characters a reply may have on each platform (App Store developer responses, Google Play replies …).
DEFAULT_LENGTH_LIMITS = {"reddit": 10_000, "appstore": 5_970, "googleplay": 350, "heureka": 1_000, "trustpilot": 2_000}


class RepliesConfig(Strict):
    templates_dir: Path | None = None  # default: templates/replies of this repository
    brand_accounts: list[str] = []  # the brands' own accounts: never answered
    max_age_days: int = Field(default=14, gt=0)
    reply_to_praise: bool = True
    allowed_links: list[str] = []  # domains; a reply may link to these and their subdomains only
    length_limits: dict[str, int] = DEFAULT_LENGTH_LIMITS
    default_length_limit: int = 2_000
    question_words: dict[str, list[str]] = DEFAULT_QUESTION_WORDS
    fallback_language: str = "en"  # drafted in this language when there are no templates for the mention's
    default_template: str = "{lang}/default.j2"
    rules: list[TemplateRule] = []
    brands: dict[str, BrandReplies] = {}

    def for_brand(self, name: str | None) -> BrandReplies:
        return self.brands.get(name or "", BrandReplies())

    def length_limit(self, source_type: str) -> int:
        return self.length_limits.get(source_type, self.default_length_limit)

    def is_brand_account(self, author: str | None) -> bool:
        """Written by one of `brand_accounts` ("u/" and "@" prefixes and case ignored)."""
        name = (author or "").strip().lower().removeprefix("u/").removeprefix("@")
        return bool(name) and name in {account.lower().removeprefix("u/").removeprefix("@") for account in self.brand_accounts}


# --- Reports: digests and alerts for marketing (README "Digests and alerts") ---------------------------------

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

    _lists = field_validator("brands", mode="before")(_as_list)


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
# --- Outgoing messages: e-mail, webhooks, the outbox, the one contact policy, notices -------------------------

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


Config.model_rebuild()
