"""Emerging issues on the bundled burst (tests/data/emerging_burst.jsonl: 20 Czech and Russian complaints that the
phone restarts itself since an update, written for this test) among ordinary complaints in en/cs/ru
(emerging_ordinary.jsonl) that run through the four weeks before as well. Embeddings come from the real default
e5 encoder, stored as the scoring stage stores them. On SQLite and PostgreSQL."""
from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from reports.emerging import accept, dismiss, propose
from sentiment.scorer import encoder_identity
from store.db import session_scope
from store.embeddings import store_mention_vectors
from store.mentions import get_or_create_source
from store.models import KnownIssueRecord, Mention, PossibleIssue, utcnow
from tests.conftest import REPO

DATA = REPO / "tests" / "data"
NOW = utcnow()
PRAISE = ["Skvělý telefon, baterie vydrží dva dny.", "Отличный телефон, камера супер.",
          "Love my new Nokia, great value.", "Rychlé doručení, děkuji.", "Очень доволен покупкой.",
          "The G22 is a solid phone for the price."]


def lines(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


BURST, ORDINARY = lines("emerging_burst.jsonl"), lines("emerging_ordinary.jsonl")


@pytest.fixture(scope="module")
def vectors():
    """text → embedding, computed once for both backends."""
    from sentiment.e5_head import get_encoder

    texts = [item["text"] for item in BURST + ORDINARY] + PRAISE
    return dict(zip(texts, get_encoder().embed(texts)))


@pytest.fixture
def nokia(engine, make_config, vectors):
    return usual_traffic(engine, make_config, vectors)


def usual_traffic(engine, make_config, vectors):
    """A config for Nokia and a function adding mentions (with their embeddings), after a month of usual traffic."""
    config = make_config({"brands": [{"name": "Nokia", "keywords": ["Nokia", "Нокиа"]}]})
    encoder = encoder_identity()
    serial = itertools.count()

    def add(items: list[dict], days_ago: float, sentiment: str = "negative") -> list[int]:
        with session_scope(engine) as session:
            source = get_or_create_source(session, "reviews", "feed")
            ids = []
            for index, item in enumerate(items):
                at = NOW - timedelta(days=days_ago, minutes=index * 7)
                key = f"m{next(serial)}"
                mention = Mention(source_id=source.id, source_type="feed", external_id=key,
                                  text=item["text"], text_hash=key, brand="Nokia",
                                  language=item["lang"], sentiment_label=sentiment, published_at=at)
                session.add(mention)
                session.flush()
                ids.append(mention.id)
            store_mention_vectors(session, ids, [vectors[item["text"]] for item in items], encoder)
            return ids

    # usual traffic: the ordinary complaints once a week for four weeks, some praise
    for week in range(4):
        add(ORDINARY, days_ago=3 + 7 * week)
    add([{"text": text, "lang": "xx"} for text in PRAISE], days_ago=10, sentiment="positive")
    add(ORDINARY[::3], days_ago=0.5)  # the window has its share of them too
    return config, add


def possible(engine) -> list[PossibleIssue]:
    with session_scope(engine) as session:
        rows = list(session.scalars(select(PossibleIssue).order_by(PossibleIssue.id)))
        session.expunge_all()
        return rows


def test_ordinary_traffic_proposes_nothing(engine, nokia):
    config, _ = nokia
    with session_scope(engine) as session:
        assert propose(session, config, NOW)["proposed"] == 0
    assert possible(engine) == []


def test_a_burst_in_czech_and_russian_is_proposed_once_with_its_mentions(engine, nokia):
    config, add = nokia
    burst_ids = add(BURST, days_ago=0.2)
    with session_scope(engine) as session:
        assert propose(session, config, NOW) == {"proposed": 1, "updated": 0, "dismissed_again": 0}
    [issue] = possible(engine)
    found = set(issue.mention_ids)
    assert len(found & set(burst_ids)) >= 18 and len(found - set(burst_ids)) <= 1
    assert {"cs", "ru"} <= set(issue.keywords)
    assert any(word.startswith("restart") for word in issue.keywords["cs"])
    assert any(word.startswith("перезагруж") for word in issue.keywords["ru"])
    assert issue.status == "proposed" and issue.expected < 1

    with session_scope(engine) as session:  # the next run sees the same burst: the same row
        assert propose(session, config, NOW + timedelta(minutes=15))["updated"] == 1
    assert len(possible(engine)) == 1


def test_the_same_complaints_at_their_usual_rate_are_no_burst(engine, nokia):
    config, add = nokia
    for week in range(4):
        add(BURST, days_ago=3 + 7 * week)  # every week for a month: this brand's normal
    add(BURST[::2], days_ago=0.2)
    with session_scope(engine) as session:
        assert propose(session, config, NOW)["proposed"] == 0


def test_dismissed_stays_dismissed_and_accepted_becomes_a_known_issue_that_covers_the_burst(engine, nokia):
    config, add = nokia
    add(BURST, days_ago=0.2)
    with session_scope(engine) as session:
        propose(session, config, NOW)
        dismiss(session, session.scalars(select(PossibleIssue)).one(), "manager")
    with session_scope(engine) as session:
        assert propose(session, config, NOW) == {"proposed": 0, "updated": 0, "dismissed_again": 1}
        row = session.scalars(select(PossibleIssue)).one()
        assert (row.status, row.decided_by) == ("dismissed", "manager")
        row.status = "proposed"  # a manager changing their mind is not a feature; this reuses the fixture
    with session_scope(engine) as session:
        issue = accept(session, session.scalars(select(PossibleIssue)).one(), "manager")
        assert (issue.status, issue.brand, issue.origin) == ("investigating", "Nokia", "inbox")
        assert issue.keywords["cs"] and issue.keywords["ru"]
    with session_scope(engine) as session:  # its mentions now match the known issue: nothing left to propose
        assert propose(session, config, NOW + timedelta(minutes=15)) == {"proposed": 0, "updated": 0, "dismissed_again": 0}
        assert session.scalar(select(func.count()).select_from(KnownIssueRecord)) == 1
        assert session.scalars(select(PossibleIssue)).one().issue_id == issue.id


def test_a_manager_sees_the_possible_issue_in_the_inbox_and_accepts_it_with_one_click(sqlite_engine, make_config, vectors):
    import httpx

    from careloop.webapp import create_app
    from inbox.users import add_user
    from tests.inbox.conftest import PASSWORD, LiveServer, csrf_of, login

    config, add = usual_traffic(sqlite_engine, make_config, vectors)
    vectors["<script>alert(1)</script> " + BURST[0]["text"]] = vectors[BURST[0]["text"]]
    add([{"text": "<script>alert(1)</script> " + BURST[0]["text"], "lang": "cs"}, *BURST], days_ago=0.1)
    with session_scope(sqlite_engine) as session:
        add_user(session, "maria", "manager", PASSWORD, display_name="Maria")
        add_user(session, "alice", "agent", PASSWORD, display_name="Alice")
        assert propose(session, config, NOW)["proposed"] == 1
        possible_id = session.scalars(select(PossibleIssue.id)).one()
    server = LiveServer(create_app(sqlite_engine, config, session_secret="emerging-" + "e" * 32))
    try:
        with httpx.Client(base_url=server.url) as agent:
            login(agent, "alice")
            assert agent.get("/issues").status_code == 403
        with httpx.Client(base_url=server.url) as manager:
            login(manager, "maria")
            page = manager.get("/issues").text
            assert f'id="possible-{possible_id}"' in page and "<script>alert(1)</script>" not in page
            assert page.count('href="/mentions/') >= 3
            answer = manager.post(f"/issues/possible/{possible_id}/accept", data={"csrf_token": csrf_of(page)})
            assert answer.status_code == 303
            issue_page = manager.get(answer.headers["location"])
            assert issue_page.status_code == 200 and "investigating" in issue_page.text
            assert f'id="possible-{possible_id}"' not in manager.get("/issues").text
    finally:
        server.close()
    with session_scope(sqlite_engine) as session:
        row = session.get(PossibleIssue, possible_id)
        assert (row.status, row.decided_by) == ("accepted", "maria")
        assert session.get(KnownIssueRecord, row.issue_id).created_by == "maria"
