"""Choosing a reply template by the rule table in careloop.yaml, and rendering it in a sandbox.

Templates are files of the operator; mention data only ever enters as context values, never as template
source, and the sandbox keeps even a careless template from reaching Python internals.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from careloop.config import Config, RepliesConfig, TemplateRule
from connectors.text import INVISIBLE

from .extract import say_wait
from .facts import Facts, mentions_any

BUNDLED_TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "replies"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
# A link (scheme, www., a host name with a common top-level domain), markup or template syntax.
_NOT_A_NAME = re.compile(
    r"[<>]|\{\{|\}\}|\{%|%\}|\{#|#\}|\$\{|\b[a-z][a-z0-9+.-]*:/|\bwww\.|@[\w-]+\."
    r"|\b[\w-]+\.(?:com|net|org|info|biz|io|co|app|dev|xyz|top|site|online|link|click|example|ru|cz|sk|de|uk|eu)\b",
    re.IGNORECASE)


def templates_dir(config: Config) -> Path:
    return configured_dir(config, config.replies.templates_dir, BUNDLED_TEMPLATES)


def configured_dir(config: Config, configured: Path | None, bundled: Path) -> Path:
    """A templates folder from careloop.yaml (relative to the file), else the bundled one."""
    if configured is None:
        return bundled
    base = config.path.parent if config.path else Path.cwd()
    return configured if configured.is_absolute() else (base / configured).resolve()


def rule_matches(rule: TemplateRule, facts: Facts) -> bool:
    rating_rule = rule.min_rating is not None or rule.max_rating is not None
    return all((
        not rule.sentiment or facts.sentiment in rule.sentiment,
        not rule.language or facts.language in rule.language,
        not rule.source_type or facts.source_type in rule.source_type,
        not rule.brand or facts.brand in rule.brand,
        not rating_rule or facts.rating is not None,
        rule.min_rating is None or (facts.rating is not None and facts.rating >= rule.min_rating),
        rule.max_rating is None or (facts.rating is not None and facts.rating <= rule.max_rating),
        not rule.keywords or mentions_any(facts.text, rule.keywords),
        rule.known_issue is None or rule.known_issue == (facts.known_issue is not None),
        rule.question is None or rule.question == facts.question,
        not rule.topic or facts.topic in rule.topic,
    ))


def select_template(facts: Facts, replies: RepliesConfig, language: str) -> str:
    """First matching rule wins; else the language's default. `{lang}` in a name becomes `language`, `{topic}` the
    mention's topic ("other" when it has none)."""
    chosen = next((rule.template for rule in replies.rules if rule_matches(rule, facts)), replies.default_template)
    return chosen.replace("{lang}", language).replace("{topic}", facts.topic or "other")


def reply_language(language: str, directory: Path, replies: RepliesConfig) -> str:
    """The mention's language when there are templates for it, else the fallback language."""
    return language if (directory / language).is_dir() else replies.fallback_language


@lru_cache(maxsize=8)
def environment(directory: Path) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(directory),
        undefined=StrictUndefined,  # a missing value is an error the checks show, not a silent gap
        autoescape=select_autoescape(["html", "htm"], default=False),  # replies are plain text; HTML templates escape
        keep_trailing_newline=False,
    )


def display_name(author: str | None) -> str:
    """An author name safe to greet with: one line, no controls, no invisible characters (a bidi override made
    "moc.elpmaxe" read as "example.com"), not absurdly long; "" — greet without a name — when the name carries a
    link, markup or template syntax ("Hi <script>…", "Hi evil.example/phish"): we never repeat those to the public."""
    name = _CONTROL.sub(" ", "".join(char for char in author or "" if char not in INVISIBLE)).strip()
    if _NOT_A_NAME.search(name):
        return ""
    return name[:60]


def context_for(facts: Facts, author: str | None, config: Config, language: str, article: dict | None = None) -> dict:
    """The whole template context, documented in templates/replies/README.md."""
    brand = config.replies.for_brand(facts.brand)
    issue = facts.known_issue
    details = facts.details
    return {
        "author": display_name(author),
        "brand": facts.brand or "",
        "agent": brand.sign_as,
        "topic": facts.topic,
        "product": details.product or (issue.product if issue else None),
        "order_number": details.order_number,
        "claim_number": details.claim_number,
        "waited": say_wait(details.waited, language) if details.waited else None,
        "waited_days": round(details.waited.days) if details.waited else None,
        "app_version": details.app_version,
        "platform": details.platform,
        "issue_title": issue.title if issue else None,
        "issue_status": issue.status if issue else None,
        "issue_note": (issue.note.get(language) or issue.note.get("en") or next(iter(issue.note.values()))) if issue else None,
        "issue_link": issue.link if issue else None,
        "links": dict(brand.links),
        "article": {"title": article["title"], "link": article["link"]} if article else None,
    }


def render(directory: Path, name: str, context: dict) -> str:
    """Rendered text, stripped; raises TemplateError (missing template, missing value, sandbox violation)."""
    return environment(directory).get_template(name).render(context).strip()


__all__ = ["TemplateError", "context_for", "render", "reply_language", "select_template", "templates_dir"]
