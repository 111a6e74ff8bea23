"""careloop.yaml's `surveys:` (what we ask, whom, when) and `sla:` (reply time targets per priority class), kept
apart from config.py so each stays readable. Imports only pydantic and careloop's rule and duration parsers."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from careloop.durations import Duration
from careloop.rules import RuleError, parse_rule

# kind → (lowest score, highest score) of the scale every e-mail shows whole
SCALES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
SURVEY_KINDS = (*SCALES, "review")
# A review request may not be aimed by anything that says how happy a person is (review gating: Google's and the
# EU's rules forbid asking only the happy ones). Attribute names matching this are refused in its audience rule.
GATING_WORDS = re.compile(r"(^|_)(score|nps|csat|ces|sentiment|rating|stars|satisfaction|satisfied|promoter|detractor|happy)"
                          r"(_|$)", re.IGNORECASE)


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Detractors(_Settings):
    """Who is unhappy enough for an agent to follow up: NPS 0…nps, CSAT 1…csat, CES ces…7."""

    nps: int = Field(default=6, ge=0, le=10)
    csat: int = Field(default=2, ge=1, le=5)
    ces: int = Field(default=5, ge=1, le=7)

    def is_detractor(self, kind: str, score: int) -> bool:
        return {"nps": score <= self.nps, "csat": score <= self.csat, "ces": score >= self.ces}.get(kind, False)


class Survey(_Settings):
    kind: Literal["csat", "nps", "ces", "review"]
    brand: str = ""  # shown in the e-mail ("How satisfied are you with {brand} support?")
    review_url: str | None = Field(default=None, pattern=r"^https://[^\s]+$")  # review: where to write it
    review_site: str | None = None  # review: "Google Play", "the App Store", "Heureka"

    @model_validator(mode="after")
    def _review_has_url(self) -> Survey:
        if (self.kind == "review") != (self.review_url is not None):
            raise ValueError("review_url is required for kind review, and only for it")
        return self


class SurveyCampaign(_Settings):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    survey: str  # a name under surveys.definitions
    trigger: Literal["scheduled", "after_reply", "after_issue_resolved", "manual"]
    schedule: str | None = None  # scheduled: cron, e.g. "0 9 1 1,4,7,10 *" (quarterly)
    sample: str | int | None = None  # "10%" or a count of the audience; none: all of it
    audience: str | None = None  # a rule over contact attributes (careloop/rules.py); none: every contact
    delay: Duration = timedelta(hours=24)  # after_*: how long after the event
    lookback: Duration = timedelta(days=7)  # after_*: events older than delay + lookback are not surveyed
    consent: Literal["survey", "marketing"] = "survey"

    @field_validator("audience")
    @classmethod
    def _rule_parses(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_rule(value)
            except RuleError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("sample")
    @classmethod
    def _sample(cls, value: str | int | None) -> str | int | None:
        if isinstance(value, str) and not re.fullmatch(r"\d+(\.\d+)?%", value.strip()):
            raise ValueError(f'expected a percentage such as "10%" or a count such as 200, got {value!r}')
        if isinstance(value, str) and not 0 < float(value.strip()[:-1]) <= 100:
            raise ValueError(f"a percentage sample must be above 0% and at most 100%, got {value!r}")
        if isinstance(value, int) and value < 1:
            raise ValueError(f"a count sample must be at least 1, got {value}")
        return value

    @model_validator(mode="after")
    def _scheduled_has_schedule(self) -> SurveyCampaign:
        if (self.trigger == "scheduled") != (self.schedule is not None):
            raise ValueError("schedule (cron) is required for trigger scheduled, and only for it")
        if self.schedule is not None and len(self.schedule.split()) != 5:
            raise ValueError(f'schedule must be a cron expression of five fields such as "0 9 1 * *", got {self.schedule!r}')
        return self


class SurveysSettings(_Settings):
    templates_dir: Path | None = None  # default: templates/surveys of this repository
    fallback_language: str = "en"  # a contact whose language has no templates gets this one
    answer_days: float = Field(default=30, gt=0)  # how long the links in a survey e-mail record answers
    burst_seconds: float = Field(default=60, gt=0)  # different scores for one send within this: a link scanner
    fcr_days: float = Field(default=7, gt=0)  # first contact resolution: no further complaint within this
    detractors: Detractors = Detractors()
    definitions: dict[str, Survey] = {}
    campaigns: list[SurveyCampaign] = []

    @model_validator(mode="after")
    def _campaigns_consistent(self) -> SurveysSettings:
        names = [campaign.name for campaign in self.campaigns]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"campaign names must be unique; repeated: {repeated}")
        for index, campaign in enumerate(self.campaigns):
            survey = self.definitions.get(campaign.survey)
            if survey is None:
                raise ValueError(f"campaigns[{index}] ({campaign.name}): survey {campaign.survey!r} is not among "
                                 f"definitions {sorted(self.definitions)}")
            if survey.kind == "review" and campaign.audience:
                gating = sorted(name for name in parse_rule(campaign.audience).names if GATING_WORDS.search(name))
                if gating:
                    raise ValueError(f"campaigns[{index}] ({campaign.name}): a review request may not depend on how "
                                     f"satisfied people are (review gating); its audience names {gating}")
        return self

    def campaign(self, name: str) -> SurveyCampaign:
        found = next((campaign for campaign in self.campaigns if campaign.name == name), None)
        if found is None:
            raise KeyError(f"no survey campaign {name!r}; campaigns in careloop.yaml: {[c.name for c in self.campaigns]}")
        return found


class SlaSettings(_Settings):
    """Reply time targets per priority class: `high` for drafts with priority ≥ high_from_priority (negative
    mentions score 1000 and up, drafting/pipeline.py), `normal` for the rest. KPIs and the inbox read these."""

    high: Duration = timedelta(hours=1)
    normal: Duration = timedelta(hours=24)
    high_from_priority: int = 1000

    def priority_class(self, priority: int) -> str:
        """"high" or "normal": the class whose target applies (the inbox shows it instead of the bare number)."""
        return "high" if priority >= self.high_from_priority else "normal"

    def target(self, priority: int) -> timedelta:
        return self.high if self.priority_class(priority) == "high" else self.normal
