"""careloop.yaml's drafting sections: known issues, the template rule table (templates/replies/README.md explains it),
per-brand reply settings. Imported through careloop.config, which validates the whole file."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from careloop.strict import Strict, as_list


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

    _lists = field_validator("sentiment", "language", "source_type", "brand", "keywords", "topic", mode="before")(as_list)


class BrandReplies(Strict):
    sign_as: str = ""  # first name of the signing agent
    links: dict[str, str] = {}  # e.g. support, contact: offered in templates, must be on allowed_links


DEFAULT_QUESTION_WORDS = {
    "en": ["how", "why", "when", "where", "what", "which", "can", "could", "does", "do", "is there", "any way", "anyone know"],
    "cs": ["jak", "proč", "kdy", "kde", "co", "který", "která", "dá se", "můžete", "nevíte", "poradí"],
    "sk": ["ako", "prečo", "kedy", "kde", "čo", "ktorý", "ktorá", "dá sa", "môžete", "neviete", "poradí"],
    "ru": ["как", "почему", "когда", "где", "что", "какой", "какая", "можно", "подскажите", "кто-нибудь"],
}


class RepliesConfig(Strict):
    templates_dir: Path | None = None  # default: templates/replies of this repository
    brand_accounts: list[str] = []  # the brands' own accounts: never answered
    max_age_days: int = Field(default=14, gt=0)
    reply_to_praise: bool = True
    allowed_links: list[str] = []  # domains; a reply may link to these and their subdomains only
    # characters a reply may have, by source type, where the operator wants fewer than the platform takes (each
    # connector declares its platform's limit: drafting.checks.length_limit)
    length_limits: dict[str, int] = {}
    default_length_limit: int = 2_000
    question_words: dict[str, list[str]] = DEFAULT_QUESTION_WORDS
    fallback_language: str = "en"  # drafted in this language when there are no templates for the mention's
    default_template: str = "{lang}/default.j2"
    rules: list[TemplateRule] = []
    brands: dict[str, BrandReplies] = {}

    def for_brand(self, name: str | None) -> BrandReplies:
        return self.brands.get(name or "", BrandReplies())

    def is_brand_account(self, author: str | None) -> bool:
        """Written by one of `brand_accounts` ("u/" and "@" prefixes and case ignored)."""
        name = (author or "").strip().lower().removeprefix("u/").removeprefix("@")
        return bool(name) and name in {account.lower().removeprefix("u/").removeprefix("@") for account in self.brand_accounts}
