"""When Prefect tries a failed task again: only when its error says the same call may succeed later
(careloop.errors: `retryable`). A refused credential, a malformed feed or a bug fails the same way every time;
retrying it only delays the alert (and a retried login can lock the account)."""
from __future__ import annotations

from careloop.errors import is_retryable


def only_retryable(task, task_run, state) -> bool:
    """`retry_condition_fn` for tasks with `retries`: True when the failed state's exception is retryable."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, BaseException) and is_retryable(error)
