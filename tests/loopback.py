"""A real HTTP server on 127.0.0.1 for connector tests: each path answers with a scripted status and body
(GET or POST, optionally only for given query parameters); a 200 carries an ETag and Last-Modified and a
request repeating them gets 304, as real feed and review servers do."""
from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

LAST_MODIFIED = "Mon, 16 Nov 2026 08:00:00 GMT"


class LoopbackHTTP:
    def __init__(self):
        # path → [(query parameters that must match, (status, body, content type, extra headers))], first match wins
        self.routes: dict[str, list[tuple[dict, tuple[int, bytes, str, dict]]]] = {}
        self.requests: list[dict] = []
        self.delay = 0.0  # seconds before answering (timeouts)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                query = parse_qs(parts.query)
                server.requests.append({
                    "method": self.command, "path": parts.path, "query": query,
                    "headers": dict(self.headers), "body": self.rfile.read(length).decode() if length else "",
                })
                time.sleep(server.delay)
                status, body, content_type, headers = next(
                    (answer for when, answer in server.routes.get(parts.path, []) if all(query.get(k) == [v] for k, v in when.items())),
                    (404, b"not found", "text/plain", {}),
                )
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if status == 200 and self.command == "GET" and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                if status == 200:
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", LAST_MODIFIED)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def route(self, path: str, body: bytes | str, status: int = 200, content_type: str = "application/json; charset=utf-8",
              when: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> str:
        """Answer `path` (only when its query has the `when` parameters) with this (and these extra headers, e.g. a
        redirect's Location); replaces an earlier answer."""
        answer = (status, body.encode() if isinstance(body, str) else body, content_type, headers or {})
        others = [(w, a) for w, a in self.routes.get(path, []) if w != (when or {})]
        # Answers with more conditions are tried first.
        self.routes[path] = sorted([*others, (when or {}, answer)], key=lambda pair: -len(pair[0]))
        return self.url + path

    def close(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def http_server():
    server = LoopbackHTTP()
    yield server
    server.close()
