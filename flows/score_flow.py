"""Score flow: every mention the configured model has not judged yet, in claimed batches (several runs at
once share the work). With nothing to score it loads no model."""
from __future__ import annotations

from collections import Counter

from prefect import flow

from careloop.config import load_config
from flows.run_output import counts_table, forward_careloop_logs, progress_to_log, publish_artifact
from sentiment.pipeline import score_stage
from store.db import connect


# A flow timeout lands in the flow's main thread as an alarm, between or inside model batches alike.
@flow(name="careloop-score", timeout_seconds=3600, retries=1, retry_delay_seconds=30)
def score_flow(config_path: str | None = None) -> int:
    forward_careloop_logs()
    config = load_config(config_path)
    labels: Counter = Counter()
    scored = score_stage(connect(config.database_url()), config.sentiment, progress=progress_to_log("scoring"), tally=labels)
    publish_artifact("careloop-score", f"Scoring: {scored} mentions scored", counts_table(dict(labels)) if scored else "Nothing to score.")
    return scored
