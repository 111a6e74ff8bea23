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
  reddit, googleplay, appstore, manual); `consent_kind` (service, survey, marketing) marks a message to a customer,
  which the contact policy counts (contacts/policy.py decides queued vs skipped_*); staff messages (digests, alerts) leave it None.
  Payload schemas: publishing/channels/email.py, webhook.py, reply.py.

Deliver (what flows call; commits as it goes):
    deliver(engine_or_session, config, kinds=("notice",), [channels={"email": …}, compose=fn, lease, batch])
        -> {"sent", "recovered", "failed", "retrying", "uncertain"}
  claims due `queued` rows of those kinds in batches (FOR UPDATE SKIP LOCKED on PostgreSQL: any number of workers),
  marks each `sending` (committed), calls the channel, marks the result (committed). `compose(session, row) -> dict`
  builds the payload at send time (notices render per contact then, so queueing 100,000 stays fast).
    publishing.pipeline.publish_pending(engine, config)  # = deliver(kinds=("reply", "follow_up"))

A row with `not_before` (an approval the agent may still undo in the inbox) is not claimed before that time.

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
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Callable, Iterable, Iterator, Mapping

from sqlalchemy import Engine, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from careloop.config import Config
from careloop.errors import is_retryable
from drafting.decisions import record_change
from store.audit import DraftAction
from store.db import session_scope
from store.models import OUTBOX_STATUSES, Draft, OutboxMessage, utcnow
from store.outreach import suppress

from .channels import Channel, Channels, ChannelDown, DeliveryUncertain, Message, RecipientRefused

ACTOR = "careloop"
BATCH = 50  # rows claimed at once; after a crash at most this many wait for the lease before they are queued again
MAX_BACKOFF = timedelta(hours=6)
COUNTS = ("sent", "recovered", "failed", "retrying", "uncertain")
Compose = Callable[[Session, OutboxMessage], dict]


_TABLE = OutboxMessage.__table__


def enqueue(session: Session, *, key: str, kind: str, channel: str, payload: dict, status: str = "queued",
            **fields) -> bool:
    return enqueue_many(session, [{"key": key, "kind": kind, "channel": channel, "payload": payload, "status": status,
                                   **fields}]) == 1


def enqueue_many(session: Session, rows: list[dict]) -> int:
    """Insert rows whose key is new (INSERT … ON CONFLICT DO NOTHING); returns how many were inserted.
    One statement executed for many rows: compiling a multi-row VALUES took 1.5 s per 2,000 rows."""
    if not rows:
        return 0
    now = utcnow()
    optional = {"draft_id": None, "contact_id": None, "consent_kind": None, "campaign": None, "error": None,
                "status": "queued", "attempts": 0}
    prepared = []
    for row in rows:
        row = {**optional, "created_at": now, **row}
        if row["status"] not in (*OUTBOX_STATUSES, "manual"):
            raise ValueError(f"outbox row {row['key']!r}: unknown status {row['status']!r}")
        prepared.append(row)
    if session.get_bind().dialect.name == "sqlite":  # sqlite3's executemany counts inserted rows exactly
        statement = sqlite.insert(_TABLE).on_conflict_do_nothing(index_elements=["key"])
        return sum(session.execute(statement, prepared[start:start + 5000]).rowcount for start in range(0, len(prepared), 5000))
    # psycopg's rowcount after executemany is not reliable: RETURNING, which SQLAlchemy batches ("insertmanyvalues")
    statement = postgresql.insert(_TABLE).on_conflict_do_nothing(index_elements=["key"]).returning(_TABLE.c.id)
    return sum(len(session.execute(statement, prepared[start:start + 5000]).all()) for start in range(0, len(prepared), 5000))


def deliver(target: Engine | Session, config: Config, *, kinds: Iterable[str],
            channels: Channels | Mapping[str, Channel] | None = None, compose: Compose | None = None,
            lease: timedelta | None = None, batch: int = BATCH, now: datetime | None = None) -> dict:
    """Deliver every due queued message of `kinds`; take over claims older than the lease. Returns counts.
    A row is due once its back-off (`next_attempt_at`) and its undo window (`not_before`) have passed at `now`
    (default: the clock; tests pass a later one instead of sleeping through a window)."""
    kinds = tuple(kinds)
    lease = lease if lease is not None else timedelta(minutes=config.outbox.lease_minutes)
    channel_set = channels if isinstance(channels, Channels) else Channels(config, channels)
    run = _Run(config, channel_set, compose, f"{socket.gethostname()}:{os.getpid()}", now)
    try:
        with _session(target) as session:
            run.recover(session, kinds, lease)
            while claimed := run.claim(session, kinds, batch):
                run.process(session, claimed)
    finally:
        if not isinstance(channels, Channels):
            channel_set.close()
    return run.counts


# Built once: constructing statements per message cost more than running them (100,000 notices).
_MARK_SENT = (update(_TABLE).where(_TABLE.c.id == bindparam("row_id"))
              .values(status="sent", sent_at=bindparam("at"), external_id=bindparam("external_id"), error=None))


class _Run:
    """One delivery run. Per batch: claim (commit), build the payloads, mark them all `sending` (commit), send —
    in parallel where the channel allows (`concurrency`) —, mark every result (commit). A crash after the sending
    mark leaves at most one batch to be checked with find_sent or made uncertain; before it, nothing was sent."""

    def __init__(self, config: Config, channels: Channels, compose: Compose | None, worker: str,
                 now: datetime | None = None):
        self.settings, self.channels, self.compose, self.worker = config.outbox, channels, compose, worker
        self.clock = (lambda: now) if now is not None else utcnow
        self.counts = dict.fromkeys(COUNTS, 0)
        self.down: dict[str, str] = {}  # channel → why it cannot send in this run

    def claim(self, session: Session, kinds: tuple[str, ...], batch: int) -> list[OutboxMessage]:
        """One UPDATE … WHERE id IN (due rows, skipping rows other workers hold) … RETURNING id, committed."""
        now = self.clock()
        due = (select(OutboxMessage.id)
               .where(OutboxMessage.status == "queued", OutboxMessage.kind.in_(kinds),
                      (OutboxMessage.next_attempt_at.is_(None)) | (OutboxMessage.next_attempt_at <= now),
                      (OutboxMessage.not_before.is_(None)) | (OutboxMessage.not_before <= now),
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
        if not claimed:
            return []
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(claimed)).order_by(OutboxMessage.id)
                                    .execution_options(populate_existing=True)))

    def recover(self, session: Session, kinds: tuple[str, ...], lease: timedelta) -> None:
        """Claims older than the lease belong to runs that died: queue again what never began sending; check
        with the platform what did, where the channel can look; the rest becomes uncertain."""
        stale = session.scalars(select(OutboxMessage).where(
            OutboxMessage.status == "claimed", OutboxMessage.kind.in_(kinds),
            OutboxMessage.claimed_at <= utcnow() - lease).order_by(OutboxMessage.id)).all()
        for row in stale:
            still = (OutboxMessage.id == row.id, OutboxMessage.status == "claimed", OutboxMessage.claimed_at == row.claimed_at)
            channel = self._channel(row.channel) if row.sending_at is not None else None
            if row.sending_at is None:
                self._update(session, still, status="queued", claimed_at=None, claimed_by=None)
            elif channel is not None and channel.finds_sent:
                if self._update(session, still, claimed_at=utcnow(), claimed_by=self.worker):
                    session.refresh(row)
                    self.process(session, [row])
            elif self._update(session, still, status="uncertain", error=(
                    f"claimed by {row.claimed_by} at {row.claimed_at:%Y-%m-%d %H:%M:%S} UTC; sending began at "
                    f"{row.sending_at:%H:%M:%S} and was never marked: it may have been delivered. Resend or drop it "
                    f"(careloop outbox resend|drop {row.id})")):
                self.counts["uncertain"] += 1

    def process(self, session: Session, rows: list[OutboxMessage]) -> None:
        ready = []
        for row in rows:
            channel = self._channel(row.channel)
            if channel is None:  # went down earlier in this run: back to the queue, untouched
                self._finish(session, row, "queued", attempts=row.attempts)
                continue
            try:
                payload = self.compose(session, row) if self.compose else row.payload
            except Exception as error:  # a template that cannot render: a person must fix it
                self.counts["failed"] += 1
                self._finish(session, row, "failed", error=f"cannot build the message: {type(error).__name__}: {error}")
                continue
            ready.append((row, channel, Message(row.id, row.key, row.kind, row.channel, payload, row.attempts + 1)))
        if ready:
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_([row.id for row, _, _ in ready]),
                                                        OutboxMessage.claimed_by == self.worker)
                            .values(sending_at=utcnow(), attempts=OutboxMessage.attempts + 1)
                            .execution_options(synchronize_session=False))
        session.commit()  # from here on a crash leaves these rows to recover(): checked or uncertain, never resent
        sent = []
        for (row, channel, message), (found, external_id, error) in zip(ready, self._send(ready)):
            if error is None:
                self.counts["recovered" if found else "sent"] += 1
                if row.draft_id:
                    self._finish(session, row, "sent", external_id=external_id, recovered=bool(found))
                else:
                    sent.append({"row_id": row.id, "at": utcnow(), "external_id": external_id})
            else:
                self._failed(session, row, message.attempts, error)
        if sent:
            session.execute(_MARK_SENT, sent)
        session.commit()

    def _send(self, ready: list) -> list[tuple[str | None, str | None, Exception | None]]:
        """(found before sending, external id, error) per message; a crash (BaseException) propagates."""
        def attempt(channel: Channel, message: Message):
            if channel.name in self.down:
                return None, None, ChannelDown(self.down[channel.name])
            try:
                found = channel.find_sent(message) if message.attempts > 1 and channel.finds_sent else None
                return found, found or channel.send(message), None
            except ChannelDown as error:
                self.down[channel.name] = str(error)
                return None, None, error
            except Exception as error:
                return None, None, error

        concurrency = max((getattr(channel, "concurrency", 1) for _, channel, _ in ready), default=1)
        if concurrency == 1 or len(ready) == 1:
            return [attempt(channel, message) for _, channel, message in ready]
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="outbox") as pool:
            futures = [pool.submit(attempt, channel, message) for _, channel, message in ready]
            return [future.result() for future in futures]

    def _failed(self, session: Session, row: OutboxMessage, attempts: int, error: Exception) -> None:
        reason = f"{type(error).__name__}: {error}"
        if isinstance(error, ChannelDown):
            self.counts["retrying"] += 1
            return self._finish(session, row, "queued", error=str(error), attempts=attempts - 1,
                                next_attempt_at=utcnow() + timedelta(seconds=self.settings.retry_seconds))
        if isinstance(error, DeliveryUncertain):
            self.counts["uncertain"] += 1
            return self._finish(session, row, "uncertain", error=f"{error}; resend or drop it (careloop outbox resend|drop {row.id})")
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
        """Write one message's outcome (and its draft's, for replies); the caller commits."""
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
            record_change(session, draft, ACTOR, DraftAction.SENT, "sent", decision=False, sent_at=now, external_reply_id=external_id,
                          note="found already posted after an interrupted run" if recovered else f"posted as {external_id}")
        elif draft is not None and status in ("failed", "uncertain"):
            record_change(session, draft, ACTOR, DraftAction.FAILED, "failed", decision=False, note=error)


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
