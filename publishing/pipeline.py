"""Publishing approved replies: the outbox (publishing/outbox.py) delivers rows of kind reply and follow_up
through the reply channel of their source type (Reddit, Google Play, App Store Connect). A reply that no API can
post waits as "manual" for an agent to copy and mark as sent.

A claim is committed before anything is sent, and the start of the send too. If the process dies after the send
began, the row stays `claimed`; once its lease is over, the next run asks the platform whether this account's reply
is already there (`find_sent`: the Reddit thread, the review's developer reply): found, it is only marked sent; not
found, it is sent. The same check runs
before a retry of a failed send, since a send that failed on a 5xx may have posted anyway.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from careloop.config import Config
from connectors import get_connector

from .channels import Channels
from .outbox import deliver

REPLY_KINDS = ("reply", "follow_up", "survey_follow_up")  # drafts an agent approved


def publish_pending(target: Engine | Session, config: Config, *, lease: timedelta | None = None,
                    connector_for: Callable[[str], object] = get_connector, now: datetime | None = None) -> dict:
    """Send every queued reply (and take over claims older than the lease). Returns counts: sent, recovered
    (found already posted after an interrupted run), failed, retrying, uncertain. Replies still in their undo
    window (approved in the inbox seconds ago) wait for a later run."""
    channels = Channels(config, connector_for=connector_for)
    try:
        return deliver(target, config, kinds=REPLY_KINDS, channels=channels, lease=lease, now=now)
    finally:
        channels.close()
