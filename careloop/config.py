"""careloop.yaml: loaded once, validated, errors that name the file, the key and what was expected.

Secrets never live here: connectors read them from the environment or Prefect blocks.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from careloop.durations import Duration, parse_duration
from careloop.inbox_settings import InboxSettings
from careloop.outgoing_config import (  # noqa: F401  (re-exported: careloop.config is where sections are imported from)
    CONSENT_KINDS, ContactPolicy, EmailSettings, EmergingIssues, NoticesSettings, OutboxSettings, WebhookSettings,
)
from careloop.replies_config import (  # noqa: F401
    DEFAULT_QUESTION_WORDS, BrandReplies, KnownIssue, RepliesConfig, TemplateRule,
)
from careloop.reports_config import EMAIL, AlertsConfig, DigestConfig, ReportsConfig  # noqa: F401
from careloop.strict import Strict
from careloop.understanding_config import KnowledgeConfig, RelevanceConfig, TopicsConfig
from careloop.survey_settings import SlaSettings, SurveysSettings

DEFAULT_CONFIG = "careloop.yaml"
SUPPORTED_LANGUAGES = ("en", "cs", "sk", "ru", "de", "pl", "uk", "fr", "es", "it", "pt", "hu")


class ConfigError(ValueError):
    """careloop.yaml is missing or invalid; the message names the file and the key."""


# Which `type:` a source may name is the connectors' knowledge, and configuration imports no stage (it is the
# floor: connectors import it). The roof passes the connectors' registry in once per process
# (careloop/stages.py); sources validated before that are a programming error, said as such.
_source_types: Callable[[], dict[str, type[BaseModel]]] | None = None


def declare_source_types(known: Callable[[], dict[str, type[BaseModel]]]) -> None:
    """`known()` maps each source type careloop.yaml may name to the model of its `options:`
    (connectors.source_options)."""
    global _source_types
    _source_types = known


def _declared_source_types() -> dict[str, type[BaseModel]]:
    if _source_types is None:
        raise RuntimeError("no source types declared: import careloop.stages (which passes connectors' registry to "
                           "careloop.config.declare_source_types) before validating a configuration with sources")
    return _source_types()


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
    # A fetch failed for a reason that may pass (careloop.errors: timeout, HTTP 429/5xx) is tried again after
    # each delay (a Prefect task retry; Reddit's per-request back-off is options.retries).
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
    replies: RepliesConfig = RepliesConfig()  # careloop/replies_config.py
    reports: ReportsConfig = ReportsConfig()  # careloop/reports_config.py: digests and alerts
    # Outgoing messages (careloop/outgoing_config.py): where links point, how e-mail and webhooks leave, one contact policy.
    public_url: str | None = Field(default=None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
    email: EmailSettings | None = None
    webhooks: dict[str, WebhookSettings] = {}
    outbox: OutboxSettings = OutboxSettings()
    contact_policy: ContactPolicy = ContactPolicy()
    notices: NoticesSettings = NoticesSettings()
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
        names = [source.name for source in self.sources]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ValueError(f"source names must be unique; repeated: {duplicated}")
        brand_names = {brand.name for brand in self.brands}
        option_models = _declared_source_types() if self.sources else {}
        types = sorted(option_models)
        for index, source in enumerate(self.sources):
            if source.type not in types:
                raise ValueError(f"sources[{index}] ({source.name}): unknown type {source.type!r}; expected one of {types}")
            problems = option_problems(option_models[source.type], source.options)
            if problems:
                raise ValueError(f"sources[{index}] ({source.name}): " + "; ".join(problems))
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
    return "\n".join(f"  - {'.'.join(str(part) for part in error['loc']) or '(top level)'}: {_message(error)}"
                     for error in exc.errors())


def _message(error: dict) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key (check the spelling)"
    if error["type"] == "missing":
        return "required key is missing"
    if "input" in error and error["type"] not in ("value_error",):
        return f"{error['msg']} (got {error['input']!r})"
    return error["msg"]


def option_problems(model: type[BaseModel], options: dict[str, Any]) -> list[str]:
    """What is wrong with a source's `options:` for its connector's model, each as "options.<key>: <what>" (the
    same words wherever a source's options are checked: when careloop.yaml loads, and in the connector)."""
    try:
        model.model_validate(options)
    except ValidationError as exc:
        return [f"options.{'.'.join(str(part) for part in error['loc'])}: {_message(error)}" for error in exc.errors()]
    return []
