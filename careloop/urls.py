"""The one check for a URL that came from outside (a feed, a review, a Reddit post): only absolute http(s) survives.

Neutral: imports only the standard library, so connectors (which clean what they fetch) and the inbox (which
links to it) share it without one stage importing the other.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def safe_url(value: Any) -> str | None:
    """Only absolute http(s) URLs survive; anything else (javascript:, data:, relative) is dropped."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in value for c in "\r\n\t <>\"'"):
        return None
    return value
