"""One root for careloop's errors, and whether trying again can help.

    CareloopError            retryable = False unless the raiser says otherwise
    ├── TemporaryError       retryable = True: the same call may succeed later (a 4xx SMTP reply, a refused
    │                        connection, an HTTP 5xx or 429, a timeout)
    └── PermanentError       retryable = False: it will fail the same way until a person changes something
                             (a 5xx SMTP reply, an HTTP 4xx, a rejected credential, an invalid address)

The outbox retries only retryable errors (with back-off) and fails the others at once; flows follow the same
attribute. Imports nothing: every layer may raise these.
"""
from __future__ import annotations


class CareloopError(Exception):
    """Root of careloop's errors. `retryable` says whether the same operation may succeed if tried again."""

    retryable: bool = False

    def __init__(self, message: str, *, retryable: bool | None = None):
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable


class TemporaryError(CareloopError):
    """Worth trying again later."""

    retryable = True


class PermanentError(CareloopError):
    """Will not succeed by trying again."""

    retryable = False


def is_retryable(error: BaseException) -> bool:
    """True only for errors that declare themselves retryable; anything unknown is permanent."""
    return bool(getattr(error, "retryable", False))
