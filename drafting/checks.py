"""Quality checks a draft passes before an agent sees it. A failing draft stays in the queue with the
reasons listed (`Draft.check_failures`): shown, not hidden. Some problems also block approval."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from careloop.config import RepliesConfig
from connectors import reply_limit
from connectors.text import INVISIBLE

_LEFTOVER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
# A greeting whose name came out empty: "Hi ,", "Dear !", "Здравствуйте, !".
_EMPTY_NAME = re.compile(r"\w\s+[,!]|,\s*[,!.]")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/[^\s<>()\[\]\"']*", re.IGNORECASE)


_DEFAULT_REPLIES = RepliesConfig()


@dataclass(frozen=True)
class Problem:
    message: str
    blocks_approval: bool = False  # nothing that can never be right is ever approved


def is_blank(text: str | None) -> bool:
    """Nothing a reader would see: only whitespace and invisible characters (zero-width, bidi controls)."""
    return not "".join(char for char in (text or "") if char not in INVISIBLE).strip()


def blocking_problems(text: str, source_type: str | None = None, replies: RepliesConfig | None = None) -> list[Problem]:
    """The problems no configuration can excuse: an empty reply, template syntax left in it, more characters than
    the platform takes (given the source type; the default limits without `replies`)."""
    if is_blank(text):
        return [Problem("the reply is empty", blocks_approval=True)]
    if _LEFTOVER.search(text):
        return [Problem("unrendered template syntax ({{, {% or #}) left in the reply", blocks_approval=True)]
    too_long = length_problem(text, source_type, replies)
    return [too_long] if too_long else []


def length_limit(source_type: str, replies: RepliesConfig | None = None) -> int:
    """The characters a reply may have on `source_type`: `replies.length_limits` where the operator set one, else
    what the platform's connector declares (connectors: reply_max_chars), else `replies.default_length_limit`."""
    replies = replies or _DEFAULT_REPLIES
    limit = replies.length_limits.get(source_type)
    return limit if limit is not None else reply_limit(source_type) or replies.default_length_limit


def length_problem(text: str, source_type: str | None, replies: RepliesConfig | None = None) -> Problem | None:
    """More characters than the platform takes (the default limits without `replies`)."""
    limit = length_limit(source_type, replies) if source_type else None
    if limit is not None and len(text) > limit:
        return Problem(f"{len(text)} characters: over the {limit} allowed on {source_type}", blocks_approval=True)
    return None


def problems_in(text: str, source_type: str, replies: RepliesConfig) -> list[Problem]:
    problems = blocking_problems(text, source_type, replies)
    if is_blank(text):
        return problems
    first_line = text.strip().splitlines()[0]
    if _EMPTY_NAME.search(first_line):
        problems.append(Problem(f"the greeting has an empty name: {first_line!r}"))
    for url in (found.rstrip(".,;:!?") for found in _URL.findall(text)):
        if not link_allowed(url, replies.allowed_links):
            problems.append(Problem(f"link not on the allow-list: {url}"))
    return problems


def link_allowed(url: str, domains: list[str]) -> bool:
    candidate = url if "://" in url else f"https://{url}"
    try:
        parts = urlsplit(candidate)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password:
        return False
    return any(host == domain.lower() or host.endswith("." + domain.lower()) for domain in domains)


def messages(problems: list[Problem]) -> list[str]:
    return [problem.message for problem in problems]
