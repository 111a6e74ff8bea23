"""Password guessing is throttled in the database (several workers count together): after 5 failures in 15 minutes
per user name or client address, 429 with Retry-After min(2^(n-5), 300) s; the right password afterwards still
works once the wait is over; failures are logged without the password. SQLite and PostgreSQL, real app."""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from .conftest import PASSWORD, csrf_of, login


def _guess(client: httpx.Client, name: str, password: str, headers: dict | None = None) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token}, headers=headers)


def test_after_five_failures_the_name_waits_and_then_logs_in(served, client_for, caplog):
    client = client_for()
    with caplog.at_level(logging.WARNING, logger="careloop.inbox"):
        assert [_guess(client, "alice", f"guess-{n}").status_code for n in range(5)] == [401] * 5
        throttled = login(client, "alice")  # even the right password waits now
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "1"
    assert "try again in 1 seconds" in throttled.text
    assert client.get("/").status_code == 303  # not logged in
    time.sleep(1.1)
    assert _guess(client, "alice", "guess-5").status_code == 401  # the sixth failure: now 2 s
    assert login(client, "alice").headers["retry-after"] == "2"
    time.sleep(2.1)
    assert login(client, "alice").status_code == 303 and client.get("/").status_code == 200
    assert _guess(client_for(), "alice", "guess-6").status_code == 401  # a success started the count afresh
    logged = caplog.text
    assert "login failed for 'alice'" in logged and "login throttled for 'alice'" in logged
    assert "guess-" not in logged and PASSWORD not in logged


def test_parallel_guessers_are_held_back(served):
    """16 parallel guessers made 150 attempts in 12 s, all 401: now only the first few get a password checked."""
    server, _ = served

    def guesser(worker: int) -> list[int]:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            return [_guess(client, "alice", f"w{worker}-{n}").status_code for n in range(6)]

    with ThreadPoolExecutor(16) as pool:
        codes = [code for codes in pool.map(guesser, range(16)) for code in codes]
    assert len(codes) == 96 and set(codes) <= {401, 429}
    assert codes.count(401) <= 5 + 16  # five free, and at most one in flight per guesser when the wait began


def test_addresses_count_only_from_the_trusted_proxy_header(served, client_for, monkeypatch):
    client = client_for()
    spoofed = {"X-Forwarded-For": "203.0.113.7"}
    for n in range(5):  # five names from one address
        assert _guess(client, f"nobody{n}", "x", spoofed).status_code == 401
    # Without a configured proxy header the header is ignored: the peer (loopback) has five failures.
    assert _guess(client, "mark", PASSWORD, {"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    time.sleep(1.1)
    monkeypatch.setenv("CARELOOP_CLIENT_IP_HEADER", "X-Forwarded-For")
    for n in range(5, 10):
        assert _guess(client, f"nobody{n}", "x", {"X-Forwarded-For": "10.0.0.1, 203.0.113.7"}).status_code in (401, 429)
    blocked = _guess(client, "root", PASSWORD, {"X-Forwarded-For": "10.0.0.1, 203.0.113.7"})
    assert blocked.status_code == 429  # the proxy-appended (last) address is the one counted
    assert _guess(client, "root", PASSWORD, {"X-Forwarded-For": "203.0.113.99"}).status_code == 303
