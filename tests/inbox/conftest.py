"""Inbox fixtures: a seeded database with users and drafts in every state, the real app served by uvicorn
on a loopback port, and an HTTP client that logs in through the real login form."""
from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
import uvicorn

from drafting import decisions
from careloop.webapp import create_app
from inbox.users import add_user
from store.db import session_scope
from store.mentions import get_or_create_source
from store.models import Draft, Mention, OutboxMessage, utcnow

PASSWORD = "correct horse battery"
HOSTILE_TEXT = "<script>alert(1)</script> {{ 7*7 }} is my order number"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Seeded:
    """Draft ids by what they are in the seed, and the hostile mention's id."""
    drafts: dict[str, int] = field(default_factory=dict)
    mentions: dict[str, int] = field(default_factory=dict)


def add_mention(session, key: str, text: str, *, source: str, source_type: str, brand: str = "Nokia",
                language: str = "en", sentiment: str | None = "neutral", hours_old: float = 2, **fields) -> Mention:
    source_row = get_or_create_source(session, source, source_type)
    mention = Mention(source_id=source_row.id, source_type=source_type, external_id=fields.pop("external_id", key),
                      text=text, text_hash=f"hash-{key}", language=language, brand=brand, sentiment_label=sentiment,
                      published_at=utcnow() - timedelta(hours=hours_old),
                      url=fields.pop("url", f"https://example.com/{key}"), author=fields.pop("author", "jana"), **fields)
    session.add(mention)
    session.flush()
    return mention


def add_draft(session, mention: Mention, text: str, status: str = "pending", priority: int = 0, **fields) -> Draft:
    draft = Draft(mention_id=mention.id, status=status, text=text, priority=priority, language=mention.language, **fields)
    session.add(draft)
    session.flush()
    return draft


def seed(engine) -> Seeded:
    """Users alice (agent), mark (marketing), root (admin); mentions in four languages, two brands, with a
    thread, a hostile one, and drafts pending, failed, approved for a manual reply, escalated, needing no reply."""
    seeded = Seeded()
    with session_scope(engine) as session:
        for name, role in (("alice", "agent"), ("mark", "marketing"), ("root", "admin")):
            add_user(session, name, role, PASSWORD, display_name=name.title())
        rows = [
            # key, text, source, type, brand, language, sentiment, priority, extra fields
            ("restart", "Telefon se pořád restartuje, nic nepomáhá.", "heureka-cz", "heureka", "Nokia", "cs", "negative", 90, {"rating": 1.0}),
            ("praise", "Love my new Nokia, battery lasts days!", "news", "feed", "Nokia", "en", "positive", 10, {}),
            ("hostile", HOSTILE_TEXT, "reddit-nokia", "reddit", "Nokia", "en", "negative", 50,
             {"title": "<img src=x onerror=alert(2)>", "author": "{{ 7*7 }}", "url": "javascript:alert(3)",
              "parent_external_id": "t3_parent"}),
            ("russian", "Когда будет обновление для G42?", "reddit-nokia", "reddit", "Nokia", "ru", "neutral", 40, {}),
            ("slovak", "Jolla telefón sa nedá nabiť, čo s tým?", "news", "feed", "Jolla", "sk", "negative", 70, {}),
        ]
        for key, text, source, source_type, brand, language, sentiment, priority, extra in rows:
            mention = add_mention(session, key, text, source=source, source_type=source_type, brand=brand,
                                  language=language, sentiment=sentiment, **extra)
            seeded.mentions[key] = mention.id
            seeded.drafts[key] = add_draft(session, mention, f"Dear customer, thanks for writing ({key}).", priority=priority).id
        parent = add_mention(session, "parent", "Anyone else with a rebooting G42?", source="reddit-nokia",
                             source_type="reddit", external_id="t3_parent", author="op_user")
        seeded.mentions["parent"] = parent.id

        own = add_mention(session, "own", "Our new G42 is here!", source="news", source_type="feed")
        seeded.drafts["no_reply"] = add_draft(session, own, "", status="no_reply_needed",
                                              reason="written by the brand's own account").id
        broken = add_mention(session, "broken", "Where is my refund?", source="reddit-nokia", source_type="reddit",
                             sentiment="negative")
        failed = add_draft(session, broken, "Sorry about the refund, please DM us.", status="failed", priority=60)
        session.add(OutboxMessage(key=f"reply:{failed.id}", kind="reply", channel="reddit", draft_id=failed.id, status="failed",
                                  error="reddit answered 503 Service Unavailable"))
        seeded.drafts["failed"] = failed.id
        review = add_mention(session, "review", "Skvělý telefon, doporučuji.", source="heureka-cz", source_type="heureka",
                             language="cs", sentiment="positive", rating=5.0)
        manual = add_draft(session, review, "Děkujeme za skvělé hodnocení!")
        decisions.approve(session, manual.id, "alice")
        seeded.drafts["manual"] = manual.id
        seeded.mentions["review"] = review.id
    return seeded


class LiveServer:
    """The real app under uvicorn on 127.0.0.1 in a thread, on a port the OS picked."""

    def __init__(self, app):
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        # proxy_headers off, as `careloop serve` runs it: X-Forwarded-For counts only where the operator says so
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", proxy_headers=False))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the inbox did not start")
            time.sleep(0.02)

    def close(self):
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def log_in_page(page, name: str, password: str = PASSWORD) -> None:
    """Log in through the real login form in a browser page whose context has the server as base_url."""
    page.goto("/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button:has-text('Log in')")


def login(client: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


def post(client: httpx.Client, path: str, data: dict | None = None, page: str = "/") -> httpx.Response:
    """A form POST as the browser sends it: with the CSRF token of a page the user has open."""
    token = csrf_of(client.get(page).text)
    return client.post(path, data={**(data or {}), "csrf_token": token})


@pytest.fixture
def served(engine):
    """(server, seeded) on the `engine` fixture's database: SQLite file and PostgreSQL."""
    seeded = seed(engine)
    server = LiveServer(create_app(engine, session_secret="test-secret-" + "x" * 32))
    yield server, seeded
    server.close()


@pytest.fixture
def client_for(served):
    """client_for(name) -> an httpx client logged in as that user (None: anonymous)."""
    server, _ = served
    clients = []

    def make(name: str | None = None) -> httpx.Client:
        client = httpx.Client(base_url=server.url, timeout=30)
        clients.append(client)
        if name:
            assert login(client, name).status_code == 303
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def browser_page(sqlite_engine, chromium):
    """(page, seeded): a Chromium page on the seeded inbox (SQLite), for the browser tests of this folder."""
    seeded = seed(sqlite_engine)
    server = LiveServer(create_app(sqlite_engine, session_secret="browser-test-" + "z" * 32))
    context = chromium.new_context(base_url=server.url, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    try:
        yield page, seeded
    finally:
        context.close()
        server.close()
