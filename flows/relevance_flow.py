"""Relevance flow: retrains each brand's "not about us" model on agents' decisions so far (a brand with too few
keeps the description-based default); with no new decision it writes nothing."""
from __future__ import annotations

from prefect import flow

from careloop.config import load_config
from flows.run_output import forward_careloop_logs, publish_artifact, table
from store.db import connect, session_scope
from understanding.relevance_training import Training, train


@flow(name="careloop-relevance", timeout_seconds=1800)
def relevance_flow(config_path: str | None = None) -> int:
    """Returns how many brands' models were (re)fitted."""
    forward_careloop_logs()
    config = load_config(config_path)
    with session_scope(connect(config.database_url())) as session:
        results = train(session, config)
    fitted = sum(result.outcome == "trained" for result in results)
    publish_artifact("careloop-relevance", f"Relevance: {fitted} of {len(results)} brands' models retrained",
                     table(list(Training.HEADERS), [result.row() for result in results]))
    return fitted
