"""Sending what is due: approved notices (rendered per contact at send time), test notices and notice webhooks,
through the outbox. What the `notices` Prefect deployment and `careloop notices send` run; safe with any number
of workers (the outbox claims rows)."""
from __future__ import annotations

from typing import Mapping

from sqlalchemy import Engine

from careloop.config import Config
from drafting.followups import sync_issues
from publishing.channels import Channel
from publishing.outbox import deliver
from store.db import session_scope

from .compose import NoticeComposer

NOTICE_KINDS = ("notice", "notice_test")


def send_notices(engine: Engine, config: Config, *, channels: Mapping[str, Channel] | None = None, **options) -> dict:
    """careloop.yaml's issues brought up to date (their campaigns await approval), then every due notice sent.
    Returns the outbox's counts (sent, recovered, failed, retrying, uncertain)."""
    with session_scope(engine) as session:
        sync_issues(session, config)
    return deliver(engine, config, kinds=NOTICE_KINDS, channels=channels, compose=NoticeComposer(config), **options)
