"""careloop.yaml's `inbox:` section: how the agents' inbox behaves around a decision. Imports only pydantic."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from careloop.strict import Strict


class InboxSettings(Strict):
    # After a decision on a mention's page: open the next item of the queue filter the agent came from ("next"),
    # or go back to the queue ("queue"). Decisions taken on the queue page stay there either way.
    after_decision: Literal["next", "queue"] = "next"
    # An approval made in the inbox waits this long before the publisher may take it, so the agent can undo it
    # (outbox.not_before). 0: no undo, published on the next run.
    undo_seconds: int = Field(default=10, ge=0, le=600)
