"""Emerging-issues flow (the `emerging` deployment): bursts of negative mentions that no known issue covers are
proposed to managers as possible issues (reports/emerging.py), shown on the inbox's Known issues page and left
as a markdown artifact. Reads stored embeddings only: it loads no model. Its deployment runs one at a time."""
from __future__ import annotations

from prefect import flow

from careloop.config import load_config
from flows.run_output import counts_table, forward_careloop_logs, publish_artifact, table
from reports.emerging import proposed, propose
from store.db import connect, session_scope


@flow(name="careloop-emerging", timeout_seconds=1800)
def emerging_flow(config_path: str | None = None) -> dict:
    forward_careloop_logs()
    config = load_config(config_path)
    with session_scope(connect(config.database_url())) as session:
        counts = propose(session, config)
        waiting = [[row.brand, row.title, len(row.mention_ids), round(row.expected, 1)] for row in proposed(session)]
    body = counts_table(counts) + "\n\n" + (table(["brand", "possible issue", "mentions", "usual"], waiting)
                                            if waiting else "No possible issue awaits a manager.")
    publish_artifact("careloop-emerging", f"Emerging issues: {counts['proposed']} new", body)
    return counts
