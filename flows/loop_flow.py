"""The whole loop once, as subflows in order: ingest → score → draft → publish."""
from __future__ import annotations

from prefect import flow

from flows.draft_flow import draft_flow
from flows.ingest_flow import ingest_flow
from flows.publish_flow import publish_flow
from flows.score_flow import score_flow


@flow(name="careloop-loop", timeout_seconds=2 * 3600)
def loop_flow(config_path: str | None = None) -> dict:
    # A failing source must not hold back scoring and drafting of everything else that arrived.
    ingest_state = ingest_flow(config_path, return_state=True)
    scored = score_flow(config_path)
    drafts = draft_flow(config_path)
    published = publish_flow(config_path, return_state=True)
    return {
        "ingest": ingest_state.type.value, "scored": scored, "drafts": drafts,
        "publish": published.result(raise_on_failure=False) if published.is_completed() else published.message,
    }
