"""The queries outgoing messages need from the floor: the suppression list by address hash."""
from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from .mentions import insert_ignoring_conflicts
from .models import Suppression

SUPPRESSION_REASONS = ("bounced", "complained", "erased", "manual")


def normalise_email(address: str) -> str:
    return address.strip().lower()


def email_hash(address: str) -> str:
    """sha256 of the normalised address: the suppression list never holds the address itself."""
    return hashlib.sha256(b"careloop-suppression:" + normalise_email(address).encode()).hexdigest()


def suppress(session: Session, address: str, reason: str, detail: str | None = None) -> bool:
    """Add `address` to the suppression list; True when it was not on it yet."""
    if reason not in SUPPRESSION_REASONS:
        raise ValueError(f"unknown suppression reason {reason!r}; expected one of {list(SUPPRESSION_REASONS)}")
    return len(insert_ignoring_conflicts(session, Suppression, [{"email_hash": email_hash(address), "reason": reason,
                                                                "detail": detail}], ["email_hash"])) == 1


def suppressed_hashes(session: Session) -> dict[str, str]:
    """Every suppressed hash → reason (a campaign checks its whole audience against it at once)."""
    return dict(session.execute(select(Suppression.email_hash, Suppression.reason)).all())
