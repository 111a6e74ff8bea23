"""Error pages: ids out of range are 404, not 500; every error page, the 500 included, carries the security
headers; HSTS when the inbox is served with secure cookies. Real app under uvicorn, SQLite and PostgreSQL."""
from __future__ import annotations

import httpx
from sqlalchemy import text

from careloop.webapp import create_app

from .conftest import LiveServer, csrf_of

HUGE = "99999999999999999999"


def _has_security_headers(response: httpx.Response) -> bool:
    return (response.headers.get("x-frame-options") == "DENY" and "default-src 'none'" in response.headers.get(
        "content-security-policy", "") and response.headers.get("x-content-type-options") == "nosniff")


def test_ids_out_of_range_are_not_found(served, client_for):
    _, seeded = served
    alice = client_for("alice")
    page = alice.get(f"/mentions/{HUGE}")
    assert page.status_code == 404 and _has_security_headers(page)
    token = csrf_of(alice.get("/").text)
    for path in (f"/drafts/{HUGE}/approve", f"/drafts/{2**31}/reject", f"/mentions/{HUGE}/sentiment"):
        assert alice.post(path, data={"csrf_token": token, "reason": "spam", "label": "positive"}).status_code == 404
    assert alice.get(f"/mentions/{seeded.mentions['restart']}?draft={HUGE}").status_code == 400
    assert alice.get(f"/mentions/{seeded.mentions['restart']}").status_code == 200  # in range still works


def test_a_server_error_page_carries_the_security_headers(engine, served, client_for):
    _, seeded = served
    alice = client_for("alice")
    with engine.begin() as connection:  # the audit log the mention page reads is gone: an unexpected error
        connection.execute(text("DROP TABLE draft_events"))
    response = alice.get(f"/mentions/{seeded.mentions['restart']}")
    assert response.status_code == 500 and _has_security_headers(response)
    assert "Something went wrong" in response.text and "Traceback" not in response.text
    assert "strict-transport-security" not in response.headers  # plain HTTP: no HSTS


def test_hsts_with_secure_cookies(sqlite_engine, monkeypatch):
    monkeypatch.setenv("CARELOOP_SECURE_COOKIES", "1")
    server = LiveServer(create_app(sqlite_engine, session_secret="hsts-" + "h" * 32))
    try:
        with httpx.Client(base_url=server.url) as client:
            for response in (client.get("/login"), client.get("/static/none.css")):
                assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    finally:
        server.close()
