"""HMAC signatures on webhook bodies, both ways: careloop signs what it posts (X-Careloop-Signature) and checks
what is posted to it (the bounce endpoint). Format, as Stripe's: `t=<unix time>,v1=<hex sha256 HMAC of "t.body">`;
the time inside the signature stops replays of an old body. Imports nothing of careloop."""
from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Careloop-Signature"
TOLERANCE_SECONDS = 300  # a signature older (or newer) than this is refused


def signature(secret: str, body: bytes, at: int | None = None) -> str:
    stamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def verify(secret: str, header: str | None, body: bytes, *, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """True when `header` signs `body` with `secret` within `tolerance` seconds of now."""
    if not header or not secret:
        return False
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        stamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - stamp) > tolerance:
        return False
    expected = signature(secret, body, stamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
