"""A user an admin restricted to some brands sees only those in the Digests and KPIs tabs too: the brand menu, the
figures, each chart's CSV and the share of voice; another brand asked for by URL is refused."""
from __future__ import annotations

import csv
import io

import httpx
import pytest
from sqlalchemy import select

from careloop.webapp import create_app
from inbox.users import add_user
from reports.digests import prepare
from store.db import session_scope
from store.models import User
from tests.inbox.conftest import PASSWORD, LiveServer, login

from .test_figures import seed

WEEK = {"from": "2024-03-25", "to": "2024-03-31"}  # the seed's week: 7 Nokia mentions, 3 Slack (test_figures.py)


@pytest.fixture
def reports_for(sqlite_engine, reports_config):
    """reports_for(name) -> an httpx client logged in as `name`: marketing `mark` sees every brand, `nora` only Nokia."""
    config = reports_config()
    with session_scope(sqlite_engine) as session:
        seed(session)
        add_user(session, "mark", "marketing", PASSWORD)
        nora = add_user(session, "nora", "marketing", PASSWORD)
        nora.brands, nora.brands_only = ["Nokia"], True
        prepare(session, config)
    server = LiveServer(create_app(sqlite_engine, config, session_secret="restricted-" + "r" * 32))
    clients = []

    def make(name: str) -> httpx.Client:
        client = httpx.Client(base_url=server.url, timeout=30)
        clients.append(client)
        assert login(client, name).status_code == 303
        return client

    yield make
    for client in clients:
        client.close()
    server.close()


def rows(client: httpx.Client, chart: str, **params) -> list[dict]:
    response = client.get(f"/reports/digests/{chart}.csv", params={**WEEK, **params})
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def test_a_user_restricted_to_a_brand_sees_only_its_digest_and_kpis(reports_for, sqlite_engine):
    everyone, nokia_only = reports_for("mark"), reports_for("nora")

    assert [row["brand"] for row in rows(everyone, "voice")] == ["Nokia", "Slack"]
    assert [row["brand"] for row in rows(nokia_only, "voice")] == ["Nokia"]
    # "all brands" for her is all of hers: the same figures as Nokia picked in the menu, fewer than everyone's
    assert rows(nokia_only, "trend") == rows(everyone, "trend", brand="Nokia") != rows(everyone, "trend")
    assert rows(nokia_only, "sources") == rows(everyone, "sources", brand="Nokia")

    for path in ("/reports/digests", "/reports/kpis"):
        page = nokia_only.get(path, params=WEEK)
        assert page.status_code == 200 and "Slack" not in page.text, path
        assert "Slack" in everyone.get(path, params=WEEK).text, path
        refused = nokia_only.get(path, params={**WEEK, "brand": "Slack"})
        assert refused.status_code == 400 and "is not one of [&#39;Nokia&#39;]" in refused.text, path
    assert nokia_only.get("/reports/digests/sources.csv", params={**WEEK, "brand": "Slack"}).status_code == 400

    with session_scope(sqlite_engine) as session:  # restricted to a brand careloop.yaml does not have: nothing
        session.scalar(select(User).where(User.name == "nora")).brands = ["Jolla"]
    assert nokia_only.get("/reports/digests", params=WEEK).status_code == 403
