"""Shared HTTP and file fetching for connectors: timeouts, the fetch's deadline, size cap, conditional GET, local
files; and the same limits for PRAW's requests (`BoundedSession`).

`timeout_seconds` bounds each request (connect, and the wait between two reads); the source's deadline
(connectors/base.py `Deadline`) bounds the whole fetch, checked before each request and after every chunk read;
MAX_BYTES bounds each response (and local file). A local file gets the same treatment as a URL: its fingerprint
stands in for the ETag, so an unchanged file costs no parsing on the next run.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import requests

from careloop import __version__

from .base import ConnectorAuthError, ConnectorError, ConnectorUnavailable, current_deadline

USER_AGENT = f"careloop/{__version__} (+self-hosted customer-care monitor)"
MAX_BYTES = 20 * 1024 * 1024


@dataclass
class Document:
    content: bytes | None  # None: not modified since the cursor
    cursor: dict[str, Any]  # validators to send next time
    content_type: str | None = None
    url: str | None = None


def fetch_document(
    source_name: str,
    location: str | Path,
    cursor: dict[str, Any],
    timeout: float,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> Document:
    """GET a URL (conditional on the cursor's ETag / Last-Modified) or read a local file."""
    if isinstance(location, Path) or not str(location).startswith(("http://", "https://")):
        return _read_file(source_name, Path(location), cursor)
    request_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    if cursor.get("etag"):
        request_headers["If-None-Match"] = cursor["etag"]
    if cursor.get("last_modified"):
        request_headers["If-Modified-Since"] = cursor["last_modified"]
    deadline = current_deadline()
    if deadline is not None:
        timeout = deadline.timeout(timeout, f"before fetching {location}")
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5) as client:
            with client.stream("GET", str(location), headers=request_headers, params=params) as response:
                if response.status_code == 304:
                    return Document(None, cursor, url=str(response.url))
                if response.status_code in (401, 403):
                    raise ConnectorAuthError(source_name, f"HTTP {response.status_code} from {location}: access denied (check the key or URL)")
                if response.status_code == 429 or response.status_code >= 500:  # the server's trouble: later
                    raise ConnectorUnavailable(source_name, f"HTTP {response.status_code} from {location}")
                if response.status_code >= 400:
                    raise ConnectorError(source_name, f"HTTP {response.status_code} from {location}")
                content = _read_capped(source_name, response.iter_bytes(), str(location))
                new_cursor = {
                    key: value for key, value in (
                        ("etag", response.headers.get("etag")),
                        ("last_modified", response.headers.get("last-modified")),
                    ) if value
                }
                return Document(content, new_cursor, response.headers.get("content-type"), str(response.url))
    except httpx.TimeoutException:
        raise ConnectorUnavailable(source_name, f"timed out after {timeout:g}s fetching {location}") from None
    except httpx.HTTPError as exc:  # refused, reset, DNS: the network's trouble, gone by the next try more often than not
        raise ConnectorUnavailable(source_name, f"could not fetch {location}: {exc}") from None


def _read_capped(source_name: str, chunks_read, location: str) -> bytes:
    """The body, refused past MAX_BYTES, and given up when the fetch's deadline passes between two chunks."""
    deadline = current_deadline()
    chunks, size = [], 0
    for chunk in chunks_read:
        size += len(chunk)
        if size > MAX_BYTES:
            raise ConnectorError(source_name, f"response from {location} larger than {MAX_BYTES // 2**20} MiB; refusing it")
        if deadline is not None:
            deadline.check(f"while reading {location} ({size:,} bytes so far)")
        chunks.append(chunk)
    return b"".join(chunks)


class BoundedSession(requests.Session):
    """A requests session (for PRAW through prawcore) with the same limits as `fetch_document`: each request's
    timeout shortened to the fetch's deadline, the body read in chunks and refused past MAX_BYTES or the deadline.
    Outside a fetch (replies) only the size cap applies."""

    def __init__(self, source_name: str):
        super().__init__()
        self.source_name = source_name

    def request(self, method, url, *args, **kwargs):
        deadline = current_deadline()
        if deadline is not None:
            kwargs["timeout"] = deadline.timeout(kwargs.get("timeout") or 60, f"before {method} {url}")
        kwargs["stream"] = True
        response = super().request(method, url, *args, **kwargs)
        try:
            response._content = _read_capped(self.source_name, _arrived(response.raw), url)
        except BaseException:
            response.close()  # half read: the connection cannot be reused
            raise
        response.raw.release_conn()
        return response


def _arrived(raw):
    """Chunks as they arrive (urllib3's read1), not 64 KiB at a time: iter_content waited for a full chunk, so a
    trickling server was never checked against the deadline."""
    while chunk := raw.read1(64 * 1024, decode_content=True):
        yield chunk


def _read_file(source_name: str, path: Path, cursor: dict[str, Any]) -> Document:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ConnectorError(source_name, f"{path} is larger than {MAX_BYTES // 2**20} MiB; refusing it")
        content = path.read_bytes()
    except OSError as exc:  # a file another job writes may be there (or readable) on the next try
        raise ConnectorUnavailable(source_name, f"cannot read {path}: {exc.strerror or exc}") from None
    fingerprint = hashlib.sha256(content).hexdigest()
    if cursor.get("sha256") == fingerprint:
        return Document(None, cursor, url=path.as_uri())
    return Document(content, {"sha256": fingerprint}, url=path.as_uri())
