"""The outbox: every message careloop sends (public replies, follow-ups, notice e-mails, digests, alerts, webhook
posts) is one row, queued once and delivered at most once.

API — what other stages call
----------------------------
Queue (inside the caller's transaction; commits nothing):
    enqueue(session, key=…, kind=…, channel=…, payload=…, [draft_id, contact_id, consent_kind, campaign,
            status="queued" | "skipped_…", error]) -> bool     # False: a row with this key exists (never twice)
    enqueue_many(session, rows: list[dict]) -> int              # the same, in bulk; returns how many were new
  `key` names the logical message ("notice:<issue>:<stage>:<contact>", "digest:<brand>:<day>:<address>");
  `kind` what it is (reply, follow_up, notice, digest, alert, test …); `channel` how it leaves (email, webhook,
  reddit, manual); `consent_kind` (service, survey, marketing) marks a message to a customer, which the contact
  policy counts (contacts/policy.py decides queued vs skipped_*); staff messages (digests, alerts) leave it None.
  Payload schemas: publishing/channels/email.py, webhook.py, reply.py.

Deliver (what flows call; commits as it goes):
    deliver(engine_or_session, config, kinds=("notice",), [channels={"email": …}, compose=fn, lease, batch])
        -> {"sent", "recovered", "failed", "retrying", "uncertain"}
  claims due `queued` rows of those kinds in batches (FOR UPDATE SKIP LOCKED on PostgreSQL: any number of workers),
  marks each `sending` (committed), calls the channel, marks the result (committed). `compose(session, row) -> dict`
  builds the payload at send time (notices render per contact then, so queueing 100,000 stays fast).
    publishing.pipeline.publish_pending(engine, config)  # = deliver(kinds=("reply", "follow_up"))

Statuses (OUTBOX_STATUSES): queued → claimed → sent | failed (permanent error, or temporary ones max_attempts
times: back-off retry_seconds × 2^n) | uncertain; skipped_policy / skipped_consent / skipped_unsubscribed are
written at queue time with the reason in `error`; `manual` (replies no API can post) waits for an agent.
After a crash: a claimed row whose send never began is queued again; one whose send began is checked with the
channel's find_sent where it has one, else it becomes `uncertain` — never sent again by itself:
    resend(session, message_id, actor) / drop(session, message_id, actor)   # an admin's decision
    (`careloop outbox list|resend|drop`)

Channels (publishing/channels/): `Channel.send(message) -> external id`, optional `find_sent(message)` declared
with `finds_sent = True`; errors say what happens next (careloop.errors: retryable → retried; DeliveryUncertain →
uncertain; RecipientRefused → failed and the address suppressed; ChannelDown → message put back, channel skipped
for the run; anything else → failed). `RecordingChannel` is the test double.
"""
from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from datetime import timedelta
from typing import Callable, Iterable, Iterator, Mapping

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from careloop.config import Config
from careloop.errors import is_retryable
from drafting.decisions import record_change
from store.db import session_scope
from store.mentions import insert_ignoring_conflicts
from store.models import OUTBOX_STATUSES, Draft, OutboxMessage, utcnow
from store.outreach import suppress

from .channels import Channel, Channels, ChannelDown, DeliveryUncertain, Message, RecipientRefused

ACTOR = "careloop"
BATCH = 50  # rows claimed at once; after a crash at most this many wait for the lease before they are queued again
MAX_BACKOFF = timedelta(hours=6)
COUNTS = ("sent", "recovered", "failed", "retrying", "uncertain")
Compose = Callable[[Session, OutboxMessage], dict]


def enqueue(session: Session, *, key: str, kind: str, channel: str, payload: dict, status: str = "queued",
            **fields) -> bool:
    return enqueue_many(session, [{"key": key, "kind": kind, "channel": channel, "payload": payload, "status": status,
                                   **fields}]) == 1


def enqueue_many(session: Session, rows: list[dict]) -> int:
    """Insert rows whose key is new (INSERT … ON CONFLICT DO NOTHING); returns how many were inserted."""
    now = utcnow()
    for row in rows:
        if row.get("status", "queued") not in (*OUTBOX_STATUSES, "manual"):
            raise ValueError(f"outbox row {row['key']!r}: unknown status {row['status']!r}")
        row.setdefault("status", "queued")
        row.setdefault("created_at", now)
        row.setdefault("attempts", 0)
    inserted = 0
    for start in range(0, len(rows), 2000):  # SQLite allows 32,766 bound parameters per statement
        inserted += len(insert_ignoring_conflicts(session, OutboxMessage, rows[start:start + 2000], ["key"]))
    return inserted


def deliver(target: Engine | Session, config: Config, *, kinds: Iterable[str],
            channels: Channels | Mapping[str, Channel] | None = None, compose: Compose | None = None,
            lease: timedelta | None = None, batch: int = BATCH) -> dict:
    """Deliver every due queued message of `kinds`; take over claims older than the lease. Returns counts."""
    kinds = tuple(kinds)
    lease = lease if lease is not None else timedelta(minutes=config.outbox.lease_minutes)
    channel_set = channels if isinstance(channels, Channels) else Channels(config, channels)
    run = _Run(config, channel_set, compose, f"{socket.gethostname()}:{os.getpid()}")
    try:
        with _session(target) as session:
            run.recover(session, kinds, lease)
            while claimed := run.claim(session, kinds, batch):
                for message_id in claimed:
                    run.deliver_one(session, message_id)
    finally:
        if not isinstance(channels, Channels):
            channel_set.close()
    return run.counts


class _Run:
    def __init__(self, config: Config, channels: Channels, compose: Compose | None, worker: str):
        self.settings, self.channels, self.compose, self.worker = config.outbox, channels, compose, worker
        self.counts = dict.fromkeys(COUNTS, 0)
        self.down: dict[str, str] = {}  # channel → why it cannot send in this run

    def claim(self, session: Session, kinds: tuple[str, ...], batch: int) -> list[int]:
        """One UPDATE … WHERE id IN (due rows, skipping rows other workers hold) … RETURNING id, committed."""
        now = utcnow()
        due = (select(OutboxMessage.id)
               .where(OutboxMessage.status == "queued", OutboxMessage.kind.in_(kinds),
                      (OutboxMessage.next_attempt_at.is_(None)) | (OutboxMessage.next_attempt_at <= now),
                      OutboxMessage.channel.not_in(list(self.down)))
               .order_by(OutboxMessage.id).limit(batch))
        if session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        claimed = session.scalars(
            update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()), OutboxMessage.status == "queued")
            .values(status="claimed", claimed_at=now, claimed_by=self.worker, sending_at=None)
            .returning(OutboxMessage.id).execution_options(synchronize_session=False)
        ).all()
        session.commit()
        return sorted(claimed)

    def recover(self, session: Session, kinds: tuple[str, ...], lease: timedelta) -> None:
        """Claims older than the lease belong to runs that died: queue again what never began sending; check
        with the platform what did, where the channel can look; the rest becomes uncertain."""
        stale = session.scalars(select(OutboxMessage).where(
            OutboxMessage.status == "claimed", OutboxMessage.kind.in_(kinds),
            OutboxMessage.claimed_at <= utcnow() - lease).order_by(OutboxMessage.id)).all()
        for row in stale:
            still = (OutboxMessage.id == row.id, OutboxMessage.status == "claimed", OutboxMessage.claimed_at == row.claimed_at)
            if row.sending_at is None:
                self._update(session, still, status="queued", claimed_at=None, claimed_by=None)
            elif self._channel(row.channel) is not None and self._channel(row.channel).finds_sent:
                if self._update(session, still, claimed_at=utcnow(), claimed_by=self.worker):
                    self.deliver_one(session, row.id)
            elif self._update(session, still, status="uncertain", error=(
                    f"claimed by {row.claimed_by} at {row.claimed_at:%Y-%m-%d %H:%M:%S} UTC; sending began at "
                    f"{row.sending_at:%H:%M:%S} and was never marked: it may have been delivered. Resend or drop it "
                    f"(careloop outbox resend|drop {row.id})")):
                self.counts["uncertain"] += 1

    def deliver_one(self, session: Session, message_id: int) -> None:
        row = session.get(OutboxMessage, message_id, populate_existing=True)
        if row is None or row.status != "claimed" or row.claimed_by != self.worker:
            return
        channel = self._channel(row.channel)
        if channel is None:  # went down earlier in this run: back to the queue, untouched
            self._update(session, (OutboxMessage.id == row.id,), status="queued", claimed_at=None, claimed_by=None)
            return
        try:
            payload = self.compose(session, row) if self.compose else row.payload
        except Exception as error:  # a template that cannot render: a person must fix it
            return self._finish(session, row, "failed", error=f"cannot build the message: {type(error).__name__}: {error}")
        message = Message(row.id, row.key, row.kind, row.channel, payload, row.attempts + 1)
        tried_before = row.attempts > 0
        if not self._update(session, (OutboxMessage.id == row.id, OutboxMessage.claimed_by == self.worker),
                            sending_at=utcnow(), attempts=row.attempts + 1):
            return  # another worker took the claim over meanwhile
        try:
            found = channel.find_sent(message) if tried_before and channel.finds_sent else None
            external_id = found or channel.send(message)
        except ChannelDown as error:
            self.down[row.channel] = str(error)
            self.counts["retrying"] += 1
            return self._finish(session, row, "queued", error=str(error), attempts=row.attempts,
                                next_attempt_at=utcnow() + timedelta(seconds=self.settings.retry_seconds))
        except DeliveryUncertain as error:
            self.counts["uncertain"] += 1
            return self._finish(session, row, "uncertain", error=f"{error}; resend or drop it (careloop outbox resend|drop {row.id})")
        except Exception as error:  # a crash (BaseException) leaves the row claimed with sending_at: recover() decides
            return self._failed(session, row, message.attempts, error)
        self.counts["recovered" if found else "sent"] += 1
        self._finish(session, row, "sent", external_id=external_id, recovered=bool(found))

    def _failed(self, session: Session, row: OutboxMessage, attempts: int, error: Exception) -> None:
        reason = f"{type(error).__name__}: {error}"
        if is_retryable(error) and attempts < self.settings.max_attempts:
            delay = min(timedelta(seconds=self.settings.retry_seconds * 2 ** (attempts - 1)), MAX_BACKOFF)
            self.counts["retrying"] += 1
            return self._finish(session, row, "queued", error=f"attempt {attempts} of {self.settings.max_attempts}: {reason}",
                                next_attempt_at=utcnow() + delay)
        if is_retryable(error):
            reason = f"gave up after {attempts} attempts: {reason}"
        if isinstance(error, RecipientRefused):
            suppress(session, error.address, "bounced", detail=str(error)[:500])
        self.counts["failed"] += 1
        self._finish(session, row, "failed", error=reason)

    def _channel(self, name: str) -> Channel | None:
        if name in self.down:
            return None
        try:
            return self.channels.get(name)
        except ChannelDown as error:
            self.down[name] = str(error)
            return None

    def _update(self, session: Session, where: tuple, **values) -> bool:
        moved = session.execute(update(OutboxMessage).where(*where).values(**values)
                                .execution_options(synchronize_session=False)).rowcount == 1
        session.commit()
        return moved

    def _finish(self, session: Session, row: OutboxMessage, status: str, *, external_id: str | None = None,
                error: str | None = None, recovered: bool = False, **values) -> None:
        now = utcnow()
        values.update(status=status, error=error)
        if status == "sent":
            values.update(sent_at=now, external_id=external_id)
        if status == "queued":
            values.update(claimed_at=None, claimed_by=None, sending_at=None)
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values)
                        .execution_options(synchronize_session=False))
        draft = session.get(Draft, row.draft_id, populate_existing=True) if row.draft_id else None
        if draft is not None and status == "sent":
            record_change(session, draft, ACTOR, "sent", "sent", decision=False, sent_at=now, external_reply_id=external_id,
                          note="found already posted after an interrupted run" if recovered else f"posted as {external_id}")
        elif draft is not None and status in ("failed", "uncertain"):
            record_change(session, draft, ACTOR, "failed", "failed", decision=False, note=error)
        session.commit()


def resend(session: Session, message_id: int, actor: str) -> OutboxMessage:
    """An admin decided an uncertain (or failed) message should go out again. Flushes, never commits."""
    return _decide(session, message_id, ("uncertain", "failed"), actor, "queued", "resend")


def drop(session: Session, message_id: int, actor: str) -> OutboxMessage:
    """An admin decided an uncertain or queued message must not go out (again)."""
    return _decide(session, message_id, ("uncertain", "queued", "failed"), actor, "failed", "drop")


def _decide(session: Session, message_id: int, allowed: tuple[str, ...], actor: str, to: str, what: str) -> OutboxMessage:
    row = session.get(OutboxMessage, message_id, populate_existing=True)
    if row is None:
        raise LookupError(f"outbox message #{message_id} does not exist")
    if row.status not in allowed:
        raise LookupError(f"cannot {what} outbox message #{message_id}: it is {row.status}; only {' or '.join(allowed)} ones can be")
    note = f"{what} by {actor} at {utcnow():%Y-%m-%d %H:%M} UTC (was {row.status}: {row.error or 'no error recorded'})"
    moved = session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status == row.status)
                            .values(status=to, error=note[:2000], next_attempt_at=None, claimed_at=None, claimed_by=None,
                                    sending_at=None).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise LookupError(f"outbox message #{message_id} was changed meanwhile: look again")
    session.flush()
    return session.get(OutboxMessage, message_id, populate_existing=True)


def counts_by_status(session: Session, kinds: Iterable[str]) -> dict[str, int]:
    """Every outbox status, always present, for messages of `kinds` (stats --json sections)."""
    rows = dict(session.execute(select(OutboxMessage.status, func.count())
                                .where(OutboxMessage.kind.in_(tuple(kinds))).group_by(OutboxMessage.status)).all())
    return {status: int(rows.get(status, 0)) for status in OUTBOX_STATUSES}


@contextmanager
def _session(target: Engine | Session) -> Iterator[Session]:
    if isinstance(target, Session):
        yield target
    else:
        with session_scope(target) as session:
            yield session
