"""A loopback HTTP server for the review-site tests: each path answers with a scripted status and
body (GET or POST), so auth failures, paging and token endpoints run over real HTTP."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


class ScriptedHTTP:
    def __init__(self):
        # path → [(query parameters that must match, (status, body, content type))], first match wins
        self.routes: dict[str, list[tuple[dict, tuple[int, bytes, str]]]] = {}
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                server.requests.append({
                    "method": self.command, "path": parts.path, "query": parse_qs(parts.query),
                    "headers": dict(self.headers), "body": self.rfile.read(length).decode() if length else "",
                })
                query = server.requests[-1]["query"]
                status, body, content_type = next(
                    (answer for when, answer in server.routes.get(parts.path, []) if all(query.get(k) == [v] for k, v in when.items())),
                    (404, b"not found", "text/plain"),
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def route(self, path: str, body: bytes | str, status: int = 200, content_type: str = "application/json; charset=utf-8",
              when: dict[str, str] | None = None) -> str:
        """Answer `path` (only when its query has the `when` parameters) with this; replaces an earlier answer."""
        answer = (status, body.encode() if isinstance(body, str) else body, content_type)
        others = [(w, a) for w, a in self.routes.get(path, []) if w != (when or {})]
        # Answers with more conditions are tried first.
        self.routes[path] = sorted([*others, (when or {}, answer)], key=lambda pair: -len(pair[0]))
        return self.url + path

    def close(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def scripted_http():
    server = ScriptedHTTP()
    yield server
    server.close()
