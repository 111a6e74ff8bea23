"""Loopback fakes of the two app-store APIs careloop replies through, on one real HTTP server on 127.0.0.1: where
`careloop demo` publishes its approved store replies and what tests read back (the SMTP twin is sink.py).

Shapes follow the public documentation:
- Google Play Developer API v3: the service account's token endpoint (`/token`, the key's `token_uri`),
  `GET …/applications/{package}/reviews` (reviews.list), `GET …/reviews/{id}` (reviews.get),
  `POST …/reviews/{id}:reply` with `{"replyText"}` → `{"result": {"replyText", "lastEdited"}}`;
  errors as `{"error": {"code", "message", "status"}}`.
- App Store Connect API v1 (JSON:API): `GET /v1/apps/{id}/customerReviews?include=response`,
  `GET /v1/customerReviews/{id}?include=response`, `POST /v1/customerReviewResponses`
  (`data.attributes.responseBody`, `data.relationships.review`) → 201 with the response resource;
  a bearer JWT (ES256, `aud` appstoreconnect-v1) checked against the team key's public half;
  errors as `{"errors": [{"status", "code", "title", "detail"}]}`.
Every request is counted (`requests`), so exactly-once is checked where it matters: at the platform.
"""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import jwt

PLAY = "/androidpublisher/v3/applications/"
PLAY_TOKEN = "ya29.loopback-play-token"


class StoreAPIs:
    def __init__(self, *, apple_public_key=None, apple_issuer: str | None = None):
        self.play: dict[str, dict[str, dict]] = {}  # package → review id → reviews.list review
        self.apple: dict[str, dict[str, dict]] = {}  # app id → review id → {"attributes", "response"}
        self.apple_public_key, self.apple_issuer = apple_public_key, apple_issuer
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.failures: list[tuple[str, int]] = []  # (path suffix, status) answered once each, in turn
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def fail_next(self, path_suffix: str, status: int) -> None:
        """The next request whose path ends with `path_suffix` gets `status` (429, 500, 401 …) instead."""
        self.failures.append((path_suffix, status))

    def count(self, method: str, path_part: str) -> int:
        return sum(1 for m, path in self.requests if m == method and path_part in path)

    def play_reply(self, package: str, review_id: str) -> str | None:
        developer = _developer_comment(self.play[package][review_id])
        return developer["text"] if developer else None

    def apple_response(self, app_id: str, review_id: str) -> str | None:
        response = self.apple[app_id][review_id]["response"]
        return response["attributes"]["responseBody"] if response else None

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> StoreAPIs:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- what the handler answers: (status, JSON payload) ---------------------------------------------------
    def answer(self, method: str, path: str, query: dict, headers, body: bytes) -> tuple[int, object]:
        with self._lock:
            self.requests.append((method, path))
            failure = next((f for f in self.failures if path.endswith(f[0])), None)
            if failure is not None:
                self.failures.remove(failure)
                return _error(path, failure[1])
            if path == "/token" and method == "POST":
                return 200, {"access_token": PLAY_TOKEN, "expires_in": 3600, "token_type": "Bearer"}
            if path.startswith(PLAY):
                if headers.get("Authorization") != f"Bearer {PLAY_TOKEN}":
                    return _error(path, 401)
                return self._play(method, path.removeprefix(PLAY), body)
            if path.startswith("/v1/"):
                if not self._apple_token_valid(headers.get("Authorization") or ""):
                    return _error(path, 401)
                return self._apple(method, path, query, body)
            return _error(path, 404)

    def _play(self, method: str, rest: str, body: bytes) -> tuple[int, object]:
        package, _, tail = rest.partition("/reviews")
        reviews = self.play.get(package)
        if reviews is None:
            return _error(rest, 403)  # Google answers a package the account may not see with 403
        if method == "GET" and tail == "":
            return 200, {"reviews": list(reviews.values()), "tokenPagination": {}}
        review_id, reply = unquote(tail.removeprefix("/")).removesuffix(":reply"), tail.endswith(":reply")
        review = reviews.get(review_id)
        if review is None:
            return _error(rest, 404)
        if method == "GET" and not reply:
            return 200, review
        if method == "POST" and reply:
            text = json.loads(body)["replyText"]
            if len(text) > 350:
                return 400, {"error": {"code": 400, "message": "Reply text is too long.", "status": "INVALID_ARGUMENT"}}
            edited = {"seconds": str(int(datetime.now(timezone.utc).timestamp())), "nanos": 0}
            comments = [c for c in review["comments"] if "developerComment" not in c]
            review["comments"] = [*comments, {"developerComment": {"text": text, "lastModified": edited}}]
            return 200, {"result": {"replyText": text, "lastEdited": edited}}
        return _error(rest, 404)

    def _apple_token_valid(self, authorization: str) -> bool:
        try:
            claims = jwt.decode(authorization.removeprefix("Bearer "), self.apple_public_key, algorithms=["ES256"],
                                audience="appstoreconnect-v1", issuer=self.apple_issuer)
        except (jwt.PyJWTError, ValueError, TypeError):
            return False
        return claims["exp"] - claims["iat"] <= 20 * 60  # Apple refuses tokens that live longer than 20 minutes

    def _apple(self, method: str, path: str, query: dict, body: bytes) -> tuple[int, object]:
        parts = path.strip("/").split("/")
        if method == "GET" and len(parts) == 4 and parts[1] == "apps" and parts[3] == "customerReviews":
            reviews = self.apple.get(parts[2])
            if reviews is None:
                return _error(path, 404)
            ordered = sorted(reviews.items(), key=lambda item: item[1]["attributes"]["createdDate"], reverse=True)
            limit = int(query.get("limit", ["50"])[0])
            data = [_apple_review(review_id, review) for review_id, review in ordered[:limit]]
            included = [review["response"] for _, review in ordered[:limit] if review["response"]]
            return 200, {"data": data, "included": included, "links": {"self": self.url + path}}
        if method == "GET" and len(parts) == 3 and parts[1] == "customerReviews":
            found = next(((app, r) for app, reviews in self.apple.items() for rid, r in reviews.items() if rid == parts[2]), None)
            if found is None:
                return _error(path, 404)
            review = found[1]
            return 200, {"data": _apple_review(parts[2], review), "included": [review["response"]] if review["response"] else []}
        if method == "POST" and path == "/v1/customerReviewResponses":
            data = json.loads(body)["data"]
            review_id = data["relationships"]["review"]["data"]["id"]
            review = next((r for reviews in self.apple.values() for rid, r in reviews.items() if rid == review_id), None)
            if review is None:
                return _error(path, 404)
            review["response"] = {"type": "customerReviewResponses", "id": f"resp-{review_id}", "attributes": {
                "responseBody": data["attributes"]["responseBody"], "state": "PENDING_PUBLISH",
                "lastModifiedDate": datetime.now(timezone.utc).isoformat(timespec="seconds")}}
            return 201, {"data": review["response"]}
        return _error(path, 404)


def _developer_comment(review: dict) -> dict | None:
    return next((c["developerComment"] for c in review["comments"] if "developerComment" in c), None)


def _apple_review(review_id: str, review: dict) -> dict:
    response = review["response"]
    return {"type": "customerReviews", "id": review_id, "attributes": review["attributes"], "relationships": {
        "response": {"data": {"type": "customerReviewResponses", "id": response["id"]} if response else None}}}


_TITLES = {401: "Authentication credentials are missing or invalid.", 403: "The caller does not have permission",
           404: "The specified resource does not exist", 429: "Rate limit exceeded", 500: "Internal error"}


def _error(path: str, status: int) -> tuple[int, object]:
    title = _TITLES.get(status, "Error")
    if path.startswith("/v1/") or path.startswith("v1/"):
        return status, {"errors": [{"status": str(status), "code": "NOT_AUTHORIZED" if status == 401 else "ERROR",
                                    "title": title, "detail": title}]}
    return status, {"error": {"code": status, "message": title, "status": "UNAUTHENTICATED" if status == 401 else "ERROR"}}


def _handler(apis: StoreAPIs):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _respond(self):
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, payload = apis.answer(self.command, parts.path, parse_qs(parts.query), self.headers, body)
            content = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _respond

    return Handler
