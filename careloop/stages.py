"""The stages, once, in loop order: what the roof (careloop/cli.py, careloop/stats.py, careloop/webapp.py,
flows/schedule.py) wires from each stage's declaration (careloop/stage.py, filled in `<stage>/stage.py`).

A stage imports only the floor (store/, careloop's configuration and neutral helpers) and the stages before it
here; nothing imports this module but the roof (the layers contract in pyproject.toml checks both). A new stage
writes its `stage.py` and takes its place in this list; prefect.yaml and the README's stage table follow it
(tests/test_layers.py holds them to it).
"""
from __future__ import annotations

import careloop.source_types  # noqa: F401  (configuration learns the connectors' source types)
from careloop.stage import Deployment, Stage
from contacts.stage import STAGE as contacts
from drafting.stage import STAGE as drafting
from inbox.stage import STAGE as inbox
from ingest.stage import STAGE as ingest
from notices.stage import STAGE as notices
from publishing.stage import STAGE as publishing
from reports.stage import STAGE as reports
from sentiment.stage import STAGE as sentiment
from surveys.stage import STAGE as surveys
from understanding.stage import STAGE as understanding

# listen → understand → draft → (agents decide in the inbox) → publish; then the stages that reach out and report.
# Connectors are not a stage of their own: ingest runs them.
STAGES: tuple[Stage, ...] = (ingest, sentiment, understanding, drafting, publishing, contacts, inbox, reports,
                             notices, surveys)

# The whole loop once, by hand (flows/loop_flow.py; `careloop run` is its CLI twin, careloop/loop.py).
LOOP_ONCE = Deployment("loop-once", "flows/loop_flow.py:loop_flow", one_at_a_time=False)


def deployments() -> list[Deployment]:
    """Every stage's deployments in loop order (not the hand-run loop-once)."""
    return [deployment for stage in STAGES for deployment in stage.deployments]
