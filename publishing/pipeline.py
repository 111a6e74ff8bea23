"""The publisher: claim an outbox row, send it, mark it — never the same reply twice.

A claim is committed before anything is sent. If the process dies after the claim, the row stays `claimed`;
once its lease is over, the next run takes it again and, because it was claimed before, first asks the platform
whether this account's reply is already in the thread (`find_own_reply`): found, it is only marked sent.
The same check runs before a retry of a failed send, since a send that failed on a 5xx may have posted anyway.
"""
from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from datetime import timedelta
from typing import Callable, Iterator

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from careloop.config import Config
from connectors import get_connector
from drafting.decisions import record_change
from store.db import session_scope
from store.models import Draft, OutboxMessage, utcnow

ACTOR = "careloop"
LEASE = timedelta(minutes=15)  # far longer than one send; a claim this old belongs to a run that died


def publish_pending(engine_or_session: Engine | Session, config: Config, *, lease: timedelta = LEASE,
                    connector_for: Callable[[str], object] = get_connector) -> dict:
    """Send every pending reply (and take over claims older than `lease`). Returns counts:
    sent, recovered (found already posted after an interrupted run), failed. Commits after every claim and every
    result (also on a Session passed in): that is what makes a crash leave a visible claim, not a lost one."""
    counts = {"sent": 0, "recovered": 0, "failed": 0}
    worker = f"{socket.gethostname()}:{os.getpid()}"
    with _session(engine_or_session) as session:
        stale = session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.status == "claimed", OutboxMessage.claimed_at <= utcnow() - lease).order_by(OutboxMessage.id)).all()
        for message_id in stale:
            if _claim(session, message_id, worker, OutboxMessage.status == "claimed", OutboxMessage.claimed_at <= utcnow() - lease):
                _deliver(session, config, message_id, connector_for, counts)
        while (message_id := session.scalar(select(OutboxMessage.id).where(OutboxMessage.status == "pending")
                                            .order_by(OutboxMessage.id).limit(1))) is not None:
            if _claim(session, message_id, worker, OutboxMessage.status == "pending"):
                _deliver(session, config, message_id, connector_for, counts)
    return counts


def _claim(session: Session, message_id: int, worker: str, *still_claimable) -> bool:
    """One atomic UPDATE … WHERE <still claimable>, committed: of two publishers only one gets the row."""
    taken = session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id, *still_claimable)
        .values(status="claimed", claimed_at=utcnow(), claimed_by=worker, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    session.commit()
    return taken


def _deliver(session: Session, config: Config, message_id: int, connector_for: Callable[[str], object], counts: dict) -> None:
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    payload = message.payload
    try:
        source = next((source for source in config.sources if source.name == payload["source"]), None)
        if source is None:
            raise LookupError(f"source {payload['source']!r} is not in careloop.yaml any more")
        connector = connector_for(payload["source_type"])
        posted_before = message.attempts > 1 and connector.find_own_reply(source, payload["mention_external_id"], payload["text"])
        external_id = posted_before or connector.reply(source, payload["mention_external_id"], payload["text"])
    except Exception as error:  # a crash (BaseException) leaves the claim for the next run to re-check
        _finish(session, message, "failed", error=f"{type(error).__name__}: {error}")
        counts["failed"] += 1
        return
    _finish(session, message, "sent", external_id=external_id, recovered=bool(posted_before))
    counts["recovered" if posted_before else "sent"] += 1


def _finish(session: Session, message: OutboxMessage, status: str, *, external_id: str | None = None,
            error: str | None = None, recovered: bool = False) -> None:
    now = utcnow()
    message.status, message.error = status, error
    if status == "sent":
        message.sent_at, message.external_id = now, external_id
    draft = session.get(Draft, message.draft_id, populate_existing=True) if message.draft_id else None
    if draft is not None and status == "sent":
        record_change(session, draft, ACTOR, "sent", "sent", decision=False, sent_at=now, external_reply_id=external_id,
                      note="found already posted after an interrupted run" if recovered else f"posted as {external_id}")
    elif draft is not None:
        record_change(session, draft, ACTOR, "failed", "failed", decision=False, note=error)
    session.commit()


@contextmanager
def _session(engine_or_session: Engine | Session) -> Iterator[Session]:
    if isinstance(engine_or_session, Session):
        yield engine_or_session
    else:
        with session_scope(engine_or_session) as session:
            yield session
