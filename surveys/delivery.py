"""What the `surveys` Prefect deployment and `careloop survey send` run: queue what automatic campaigns have due,
deliver every queued survey e-mail through the outbox (rendered per person at send time), score new comments.
Safe with any number of workers (the outbox claims rows; rounds are idempotent by key)."""
from __future__ import annotations

from typing import Mapping

from sqlalchemy import Engine

from careloop.config import Config
from publishing.channels import Channel
from publishing.outbox import deliver
from sentiment.scorer import Scorer
from store.db import session_scope

from .campaigns import queue_due
from .comments import score_comment_stage
from .compose import SURVEY_KINDS, SurveyComposer


def deliver_surveys(engine: Engine, config: Config, *, channels: Mapping[str, Channel] | None = None, **options) -> dict:
    """Every queued survey e-mail sent; the outbox's counts (sent, recovered, failed, retrying, uncertain)."""
    return deliver(engine, config, kinds=SURVEY_KINDS, channels=channels, compose=SurveyComposer(config), **options)


def run_surveys(engine: Engine, config: Config, *, channels: Mapping[str, Channel] | None = None,
                scorer: Scorer | None = None) -> dict:
    """One run of the surveys stage: {"queued": {campaign: counts}, "delivered": counts, "comments_scored": n}."""
    with session_scope(engine) as session:
        queued = queue_due(session, config)
    delivered = deliver_surveys(engine, config, channels=channels)
    return {"queued": queued, "delivered": delivered, "comments_scored": score_comment_stage(engine, config, scorer)}
