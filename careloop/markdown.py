"""Markdown for Prefect artifacts, where mention text, feed titles and API errors appear: escaped so that no link,
image, emphasis or table syntax of theirs survives, and folded onto one line so a table row stays a row.

Imports only the standard library: flows and every stage may use it."""
from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def escape(text: object) -> str:
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
