"""What makes two mentions the same story: canonical URL (tracking parameters stripped) or normalised text."""
from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .matching import fold

TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref", "ref_src", "cmpid", "ocid", "si", "_hsenc", "_hsmi", "yclid"}
_NON_WORD = re.compile(r"[\W_]+")
# Short texts ("Super!", "nic") repeat across authors; only longer ones identify a story.
MIN_TEXT_FOR_IDENTITY = 40


def canonical_url(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    query = [
        (key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMS
    ]
    host = parts.netloc.lower().removeprefix("www.").removesuffix(":80").removesuffix(":443")
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https" if parts.scheme.lower() in ("http", "https") else parts.scheme.lower(), host, path, urlencode(sorted(query)), ""))[:1000]


def text_hash(title: str | None, text: str) -> str:
    normalised = _NON_WORD.sub(" ", fold(text or title or "")).strip()
    return hashlib.sha256(normalised.encode()).hexdigest()


def identifies_story(title: str | None, text: str) -> bool:
    return len((text or title or "").strip()) >= MIN_TEXT_FOR_IDENTITY
