"""Secrets never reach a log line: every log record made in a careloop process, careloop's or a library's (httpx
logs each request's full URL at INFO, with a Heureka export `?key=`; httpcore its Location headers at DEBUG), is
redacted when it is made: query strings and userinfo of URLs, and the values of secrets careloop read.

`install()` runs when `careloop` is imported, so every entry point (CLI, inbox workers, Prefect flows) has it.
Imports nothing of careloop: any layer may call `redact` and `remember_secret`."""
from __future__ import annotations

import logging
import os
import re
import traceback

REDACTED = "<redacted>"
# A URL's query (absolute, or a path like a relative Location header): everything after "?" up to a space or quote.
_QUERY = re.compile(r"((?:\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s/?#'\"<>]*)?/[^\s?#'\"<>]*)\?[^\s#'\"<>]+")
# user:password@ in a URL (a database URL, a proxy).
_USERINFO = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.\-]*://)[^\s/@'\"<>]+@")
# Environment variables whose value is a secret by their name; secret_env options may name others (remember_secret).
_SECRET_NAME = re.compile(r"KEY|SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|SERVICE_ACCOUNT", re.IGNORECASE)
_MIN_SECRET = 6  # shorter values would redact ordinary words
_remembered: set[str] = set()


def remember_secret(value: str | None) -> None:
    """A secret read from a variable whose name does not say so: redact it wherever it appears."""
    if value and len(value) >= _MIN_SECRET:
        _remembered.add(value)


def _secret_values() -> list[str]:
    from_env = {value for name, value in os.environ.items() if _SECRET_NAME.search(name) and len(value) >= _MIN_SECRET}
    return sorted(from_env | _remembered, key=len, reverse=True)  # longest first: a secret containing another


def redact(text: str) -> str:
    """`text` with URL queries and userinfo replaced, and every known secret value."""
    text = _USERINFO.sub(rf"\1{REDACTED}@", _QUERY.sub(rf"\1?{REDACTED}", text))
    for value in _secret_values():
        if value in text:
            text = text.replace(value, REDACTED)
    return text


_installed = False


def install() -> None:
    """Redact every log record as it is made (a record factory, so handlers added later — pytest's, Prefect's,
    uvicorn's — only ever see the redacted text). Idempotent."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacted_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it to logging's own error report
            return record
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        return record

    logging.setLogRecordFactory(redacted_record)
    _installed = True
