"""A fake Reddit API on loopback that replays recorded responses, so the real PRAW client runs in
tests and in `careloop demo` without the network.

Recordings are vcrpy cassettes as PRAW's own test suite writes them (`{"interactions": [{"request":
{"method", "uri", "body"}, "response": {"status": {"code"}, "headers", "body": {"string"}}}]}`).
A request is answered by the interaction with the same method, path and query parameters (in any
order; `raw_json` ignored). Interactions with the same key play in order and the last one repeats,
so a recording can say "429, then 200". The token endpoint is answered here, not from recordings.
"""
from __future__ import annotations

import base64
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qsl, urlsplit

TOKEN_PATH = "/api/v1/access_token"
# Replayed response headers: the ones PRAW acts on. Cookies, dates and CDN ids are noise.
KEPT_HEADERS = ("content-type", "retry-after", "x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset")

Key = tuple[str, str, frozenset]


def request_key(method: str, path: str, query: str | dict[str, Any] | None = None) -> Key:
    if isinstance(query, dict):
        items = {(name, str(value)) for name, value in query.items()}
    else:
        items = set(parse_qsl(query or "", keep_blank_values=True))
    return method.upper(), "/" + path.strip("/"), frozenset(item for item in items if item[0] != "raw_json")


@dataclass
class Recorded:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class SeenRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]


class ReplayServer:
    """Answers PRAW's requests from recordings; remembers what was asked (`requests`, `unmatched`).

    `client` (id, secret) and `user` (name, password), when given, are the only credentials the
    token endpoint accepts: anything else gets Reddit's answers (401, or `invalid_grant`).
    """

    def __init__(self, client: tuple[str, str] | None = None, user: tuple[str, str] | None = None):
        self.client = client
        self.user = user
        self.requests: list[SeenRequest] = []
        self.unmatched: list[SeenRequest] = []
        self._recorded: dict[Key, list[Recorded]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, method: str, path: str, query: str | dict[str, Any] | None = None, *, body: Any,
            status: int = 200, headers: dict[str, str] | None = None) -> None:
        """Record one more answer for (method, path, query); `body` is JSON-able or already text."""
        payload = body if isinstance(body, (str, bytes)) else json.dumps(body)
        payload = payload.encode() if isinstance(payload, str) else payload
        headers = {"content-type": "application/json; charset=UTF-8", **{k.lower(): v for k, v in (headers or {}).items()}}
        with self._lock:
            self._recorded.setdefault(request_key(method, path, query), []).append(Recorded(status, payload, headers))

    def load_cassette(self, path: Path) -> None:
        for interaction in json.loads(Path(path).read_text(encoding="utf-8"))["interactions"]:
            request, response = interaction["request"], interaction["response"]
            uri = urlsplit(request["uri"])
            if uri.path.rstrip("/") == TOKEN_PATH:
                continue
            headers = {
                name.lower(): values[0] if isinstance(values, list) else values
                for name, values in response.get("headers", {}).items() if name.lower() in KEPT_HEADERS
            }
            self.add(request["method"], uri.path, uri.query, body=response["body"]["string"],
                     status=response["status"]["code"], headers=headers)

    def load_directory(self, directory: Path) -> None:
        for path in sorted(Path(directory).glob("*.json")):
            self.load_cassette(path)

    def answer(self, seen: SeenRequest) -> Recorded:
        with self._lock:
            self.requests.append(seen)
            queue = self._recorded.get(request_key(seen.method, seen.path, seen.query))
            if not queue:
                self.unmatched.append(seen)
                return Recorded(404, json.dumps({"message": "Not Found", "error": 404}).encode(), {"content-type": "application/json"})
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def token(self, authorization: str, form: dict[str, str]) -> Recorded:
        if self.client is not None and authorization != _basic(*self.client):
            return Recorded(401, b'{"message": "Unauthorized", "error": 401}', {"content-type": "application/json"})
        if form.get("grant_type") == "password" and self.user is not None and (form.get("username"), form.get("password")) != self.user:
            return Recorded(200, b'{"error": "invalid_grant"}', {"content-type": "application/json"})
        token = {"access_token": "replay-token", "token_type": "bearer", "expires_in": 3600, "scope": "*"}
        if form.get("grant_type") == "refresh_token":
            token["refresh_token"] = form.get("refresh_token", "")
        return Recorded(200, json.dumps(token).encode(), {"content-type": "application/json; charset=UTF-8"})

    def start(self) -> str:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="reddit-replay", daemon=True).start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _handler_for(replay: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self._respond()

        def do_POST(self):
            self._respond()

        def _respond(self):
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode("utf-8", "replace"), keep_blank_values=True))
            if parts.path.rstrip("/") == TOKEN_PATH:
                recorded = replay.token(self.headers.get("authorization", ""), form)
            else:
                seen = SeenRequest(self.command, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)), form)
                recorded = replay.answer(seen)
            self.send_response(recorded.status)
            for name, value in recorded.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(recorded.body)))
            self.end_headers()
            self.wfile.write(recorded.body)

        def log_message(self, *args):  # the test and demo output stays readable
            pass

    return Handler


@contextmanager
def serve_replay(directory: Path | None = None, **credentials: Any) -> Iterator[ReplayServer]:
    """A running replay server with the cassettes of `directory` loaded; `.url` is its address."""
    replay = ReplayServer(**credentials)
    if directory is not None:
        replay.load_directory(directory)
    replay.start()
    try:
        yield replay
    finally:
        replay.stop()
