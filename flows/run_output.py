"""What a flow run leaves for the operator: careloop's own log lines in the flow-run log, progress lines for
long stages, and a markdown artifact summarising the run, so the Prefect UI shows what happened without a
terminal."""
from __future__ import annotations

import logging

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact

from careloop.markdown import escape
from careloop.progress import ProgressLines

PROGRESS_INTERVAL = 15.0  # seconds between progress lines in the flow-run log


def forward_careloop_logs() -> None:
    """Send the `careloop.*` loggers (a malformed feed's warning, a failing source) to the flow-run log, as
    PREFECT_LOGGING_EXTRA_LOGGERS=careloop would. Done here, not in the worker's environment, so every way of
    starting a flow (work pool worker, `careloop schedule`, a direct call) gets it."""
    logger = logging.getLogger("careloop")
    for handler in logging.getLogger("prefect.extra").handlers:
        if handler not in logger.handlers:
            logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)


def progress_to_log(label: str) -> ProgressLines:
    logger = get_run_logger()
    return ProgressLines(label, logger.info, interval=PROGRESS_INTERVAL)


def table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(escape(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def counts_table(counts: dict) -> str:
    return table(["", "count"], [[key.replace("_", " "), value] for key, value in counts.items()])


def publish_artifact(key: str, title: str, body: str) -> None:
    """One markdown artifact per flow run, under a stable key so the UI shows its history."""
    create_markdown_artifact(markdown=f"# {title}\n\n{body}\n", key=key, description=title)
