"""Each source fetch has a total deadline and each response a size cap, for plain HTTP (feeds, reviews) and for
PRAW's requests: a server trickling one byte at a time no longer holds a source (and every later one) for minutes."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from careloop.config import Brand, SourceConfig
from connectors import ConnectorError, get_connector
from connectors.http import MAX_BYTES
from ingest.pipeline import ingest_all

FEED = ("<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><entry><id>urn:1</id>"
        "<title>Nokia G42</title><updated>2026-11-20T10:00:00Z</updated><content>Nokia G42 is fine</content></entry></feed>")


class Trickle:
    """A real HTTP server on loopback that promises a body and sends one byte every `every` seconds."""

    def __init__(self, every: float = 0.05, content_type: str = "application/atom+xml"):
        self.every, self.content_type, self.served = every, content_type, 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket):
        with connection:
            connection.recv(65536)
            self.served += 1
            try:
                connection.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: {self.content_type}\r\n"
                                   f"Content-Length: 1000000\r\n\r\n".encode())
                for _ in range(int(60 / self.every)):
                    connection.sendall(b" ")
                    time.sleep(self.every)
            except OSError:
                pass  # the client gave up: what the test wants

    def close(self):
        self._listener.close()


@pytest.fixture
def trickle():
    server = Trickle()
    yield server
    server.close()


def test_a_trickling_feed_is_cut_at_the_deadline_and_the_next_source_runs(engine, make_config, trickle, http_server):
    good = http_server.route("/good.xml", FEED, content_type="application/atom+xml")
    config = make_config({"brands": [{"name": "Nokia", "keywords": ["Nokia"]}], "sources": [
        {"name": "slow", "type": "feed", "url": trickle.url + "/feed.xml", "timeout_seconds": 3, "deadline_seconds": 1.5},
        {"name": "good", "type": "feed", "url": good}]})
    started = time.monotonic()
    slow, after = ingest_all(engine, config)
    assert time.monotonic() - started < 6  # was held for minutes: each byte came within the read timeout
    assert slow.status == "failed" and "deadline of 1.5s for the whole fetch reached while reading" in slow.problems[0]
    assert (after.status, after.stored) == ("ok", 1)


def test_a_response_over_the_size_cap_is_refused(http_server, tmp_path):
    url = http_server.route("/huge.xml", b"<feed>" + b" " * (MAX_BYTES + 1), content_type="application/atom+xml")
    with pytest.raises(ConnectorError, match="larger than 20 MiB"):
        get_connector("feed").fetch(SourceConfig(name="huge", type="feed", url=url), {}, [])
    big = tmp_path / "huge.xml"
    big.write_bytes(b" " * (MAX_BYTES + 1))
    with pytest.raises(ConnectorError, match="larger than 20 MiB"):
        get_connector("feed").fetch(SourceConfig(name="huge", type="feed", path=str(big)), {}, [])


def test_reddit_requests_keep_the_deadline_and_the_size_cap(trickle, http_server, monkeypatch):
    for name, value in (("REDDIT_CLIENT_ID", "id"), ("REDDIT_CLIENT_SECRET", "secret"), ("REDDIT_USER_AGENT", "careloop-tests")):
        monkeypatch.setenv(name, value)
    for name in ("REDDIT_REFRESH_TOKEN", "REDDIT_USERNAME", "REDDIT_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    brands = [Brand(name="Nokia", keywords=["Nokia"])]

    def source(url: str, **settings) -> SourceConfig:
        return SourceConfig(name="reddit", type="reddit", options={"oauth_url": url, "reddit_url": url, "subreddits": ["Nokia"]},
                            **settings)

    started = time.monotonic()
    with pytest.raises(ConnectorError, match="deadline of 1.5s"):
        get_connector("reddit").fetch(source(trickle.url, timeout_seconds=3, deadline_seconds=1.5), {}, brands)
    assert time.monotonic() - started < 5

    http_server.route("/api/v1/access_token", b'{"access_token": "' + b"x" * (MAX_BYTES + 1) + b'"}')
    with pytest.raises(ConnectorError, match="larger than 20 MiB"):
        get_connector("reddit").fetch(source(http_server.url), {}, brands)
