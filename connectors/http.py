"""Shared HTTP and file fetching for connectors: timeouts, size cap, conditional GET, local files.

A local file gets the same treatment as a URL: its fingerprint stands in for the ETag, so an
unchanged file costs no parsing on the next run.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from careloop import __version__

from .base import ConnectorAuthError, ConnectorError

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
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5) as client:
            with client.stream("GET", str(location), headers=request_headers, params=params) as response:
                if response.status_code == 304:
                    return Document(None, cursor, url=str(response.url))
                if response.status_code in (401, 403):
                    raise ConnectorAuthError(source_name, f"HTTP {response.status_code} from {location}: access denied (check the key or URL)")
                if response.status_code >= 400:
                    raise ConnectorError(source_name, f"HTTP {response.status_code} from {location}")
                content = _read_capped(source_name, response)
                new_cursor = {
                    key: value for key, value in (
                        ("etag", response.headers.get("etag")),
                        ("last_modified", response.headers.get("last-modified")),
                    ) if value
                }
                return Document(content, new_cursor, response.headers.get("content-type"), str(response.url))
    except httpx.TimeoutException:
        raise ConnectorError(source_name, f"timed out after {timeout:g}s fetching {location}") from None
    except httpx.HTTPError as exc:
        raise ConnectorError(source_name, f"could not fetch {location}: {exc}") from None


def _read_capped(source_name: str, response: httpx.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BYTES:
            raise ConnectorError(source_name, f"response larger than {MAX_BYTES // 2**20} MiB; refusing it")
        chunks.append(chunk)
    return b"".join(chunks)


def _read_file(source_name: str, path: Path, cursor: dict[str, Any]) -> Document:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ConnectorError(source_name, f"cannot read {path}: {exc.strerror or exc}") from None
    fingerprint = hashlib.sha256(content).hexdigest()
    if cursor.get("sha256") == fingerprint:
        return Document(None, cursor, url=path.as_uri())
    return Document(content, {"sha256": fingerprint}, url=path.as_uri())
