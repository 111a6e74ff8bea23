"""Login throttling, counted in the database because the inbox runs several worker processes: after FREE_FAILURES
failed logins within WINDOW for one user name or from one client address, each further attempt waits
min(2^(n − FREE_FAILURES), MAX_WAIT) seconds after the last one (429 with Retry-After). A successful login clears
the name's count, and the wait never exceeds MAX_WAIT, so an attacker cannot lock a real agent out for long.

Only finished failures count, so colleagues signing in at once from one office address are never held back;
parallel guessers get one attempt each past the free ones before the wait starts (16 of them made 150 guesses in
12 s before). The client address is the TCP peer, or — only behind a reverse proxy the
operator names in CARELOOP_CLIENT_IP_HEADER — the address that proxy appended to that header."""
from __future__ import annotations

import logging
import math
import os
from datetime import timedelta

from fastapi import Request
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from store.models import LoginFailure, utcnow

log = logging.getLogger("careloop.inbox")
FREE_FAILURES = 5
WINDOW = timedelta(minutes=15)
MAX_WAIT = 300  # seconds


def client_address(request: Request) -> str:
    header = os.environ.get("CARELOOP_CLIENT_IP_HEADER")
    if header and request.headers.get(header):
        return request.headers[header].split(",")[-1].strip()[:100]  # the hop our own proxy appended
    return (request.client.host if request.client else "unknown")[:100]


def wait_before_attempt(session: Session, name: str, client: str) -> float:
    """Seconds this attempt must still wait (0: check the password). Sweeps failures older than the window."""
    now, key = utcnow(), _key(name)
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - WINDOW))
    by_name, by_client, last = session.execute(
        select(func.count().filter(LoginFailure.name == key), func.count().filter(LoginFailure.client == client),
               func.max(LoginFailure.at)).where(or_(LoginFailure.name == key, LoginFailure.client == client))
    ).one()
    session.commit()
    failures = max(by_name, by_client)
    if failures < FREE_FAILURES or last is None:
        return 0.0
    wait = (last + timedelta(seconds=min(2 ** (failures - FREE_FAILURES), MAX_WAIT)) - now).total_seconds()
    if wait > 0:
        log.warning("login throttled for %r from %s: %d failures in %s, retry in %.0f s", key, client, failures, WINDOW, wait)
    return max(wait, 0.0)


def record_outcome(session: Session, name: str, client: str, succeeded: bool) -> None:
    """A success clears the name's failures; a failure is counted (and logged, without the password)."""
    if succeeded:
        session.execute(delete(LoginFailure).where(LoginFailure.name == _key(name)))
    else:
        session.add(LoginFailure(name=_key(name), client=client, at=utcnow()))
        log.warning("login failed for %r from %s", _key(name), client)
    session.commit()


def retry_after(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


def _key(name: str) -> str:
    return name.strip().lower()[:100]
