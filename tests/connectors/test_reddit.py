"""The Reddit connector: the real PRAW client against a loopback fake Reddit replaying recorded
responses (tests/connectors/reddit/, from PRAW's own test suite) and listings built from them."""
from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from careloop.config import Brand, SourceConfig
from connectors import ConnectorAuthError, ConnectorError
from connectors.reddit import RedditConnector
from connectors.reddit_replay import ReplayServer
from ingest.pipeline import ingest_source
from store.db import session_scope
from store.models import Mention, Run, Source

CASSETTES = Path(__file__).parent / "reddit"
DEMO = Path(__file__).resolve().parents[2] / "examples" / "data" / "reddit"
DEMO_CONFIG = DEMO.parents[1] / "careloop.yaml"
CLIENT = ("test-client-id", "test-client-secret")
USER = ("careloop_bot", "correct horse")
PRAW = Brand(name="PRAW", keywords=["PRAW"])
SEARCH = {"q": "PRAW", "sort": "new", "t": "all", "syntax": "lucene", "restrict_sr": "False", "limit": 100}


def recorded_body(cassette: str, index: int):
    """The JSON body of a recorded interaction (index 0 is the token request)."""
    interactions = json.loads((CASSETTES / cassette).read_text())["interactions"]
    return json.loads(interactions[index]["response"]["body"]["string"])


def listing(children, after=None):
    return {"kind": "Listing", "data": {"children": children, "after": after, "before": None}}


def recorded_posts():
    """The six recorded search hits, newest first, as a search sorted by `new` returns them."""
    children = recorded_body("TestSubreddit.test_search.json", 1)["data"]["children"]
    return sorted(children, key=lambda child: child["data"]["created_utc"], reverse=True)


def post(post_id: str, age_seconds: float, title: str = "PRAW question", num_comments: int = 0):
    created = time.time() - age_seconds
    return {"kind": "t3", "data": {
        "id": post_id, "name": f"t3_{post_id}", "title": title, "selftext": "How do I page through results?",
        "created_utc": created, "subreddit": "redditdev", "author": "someone", "score": 2,
        "num_comments": num_comments, "is_self": True, "permalink": f"/r/redditdev/comments/{post_id}/question/",
    }}


@pytest.fixture
def credentials(monkeypatch):
    for name, value in (("REDDIT_CLIENT_ID", CLIENT[0]), ("REDDIT_CLIENT_SECRET", CLIENT[1]), ("REDDIT_USER_AGENT", "careloop-tests")):
        monkeypatch.setenv(name, value)
    for name in ("REDDIT_REFRESH_TOKEN", "REDDIT_USERNAME", "REDDIT_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def account(credentials, monkeypatch):
    monkeypatch.setenv("REDDIT_USERNAME", USER[0])
    monkeypatch.setenv("REDDIT_PASSWORD", USER[1])


@pytest.fixture
def reddit():
    server = ReplayServer(client=CLIENT, user=USER)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def waits():
    return []


@pytest.fixture
def connector(waits):
    return RedditConnector(sleep=waits.append)


def source_for(server: ReplayServer, **options) -> SourceConfig:
    return SourceConfig(name="reddit-test", type="reddit",
                        options={"oauth_url": server.url, "reddit_url": server.url, **options})


def asked(server: ReplayServer, path: str) -> list[dict]:
    return [request.query for request in server.requests if request.path.rstrip("/") == path]


def test_search_pages_through_all_results(reddit, credentials, connector):
    posts = recorded_posts()
    reddit.add("GET", "/r/all/search/", SEARCH, body=listing(posts[:3], after=posts[2]["data"]["name"]))
    reddit.add("GET", "/r/all/search/", {**SEARCH, "after": posts[2]["data"]["name"]}, body=listing(posts[3:]))

    result = connector.fetch(source_for(reddit, since="all", thread_comments=False), {}, [PRAW])

    assert [mention.external_id for mention in result.mentions] == [child["data"]["name"] for child in posts]
    assert [query.get("after") for query in asked(reddit, "/r/all/search")] == [None, posts[2]["data"]["name"]]
    first = next(mention for mention in result.mentions if mention.external_id == "t3_3gpbiu")
    assert first.url == "https://www.reddit.com/r/redditdev/comments/3gpbiu/prawoauth2util_problem_using_get_banned_raise/"
    assert first.title.startswith("[PRAW][OAuth2Util] Problem using get_banned()") and first.author == "dClauzel"
    assert first.published_at.isoformat() == "2015-08-12T09:08:34+00:00"
    assert first.extra == {"subreddit": "redditdev", "score": first.raw["score"], "num_comments": 21}
    assert first.parent_external_id is None and "get_banned" in first.text
    assert not result.problems and not reddit.unmatched


def test_next_run_asks_only_for_what_is_new(reddit, credentials, connector):
    posts = recorded_posts()
    fresh = post("newone", age_seconds=60)
    for children in (posts, posts, [fresh, *posts]):
        reddit.add("GET", "/r/all/search/", SEARCH, body=listing(children))
    source = source_for(reddit, since="all", thread_comments=False)

    first = connector.fetch(source, {}, [PRAW])
    second = connector.fetch(source, first.cursor, [PRAW])
    third = connector.fetch(source, second.cursor, [PRAW])

    assert len(first.mentions) == 6
    assert second.mentions == [] and second.cursor == first.cursor
    assert [mention.external_id for mention in third.mentions] == ["t3_newone"]
    assert list(third.cursor["queries"]["search:all:PRAW"]["recent"]) == ["t3_newone"]


def test_first_run_backfills_only_the_configured_window(reddit, credentials, connector):
    reddit.add("GET", "/r/all/search/", SEARCH, body=listing([post("today", 3600), post("lastweek", 6 * 86400), post("old", 10 * 86400)]))

    default = connector.fetch(source_for(reddit), {}, [PRAW])
    one_day = connector.fetch(source_for(reddit, since="1d"), {}, [PRAW])

    assert [mention.external_id for mention in default.mentions] == ["t3_today", "t3_lastweek"]
    assert [mention.external_id for mention in one_day.mentions] == ["t3_today"]


def test_search_hit_brings_its_comment_tree_with_nested_replies(reddit, credentials, connector):
    reddit.load_cassette(CASSETTES / "TestSubmission.test_comments.json")
    thread = recorded_body("TestSubmission.test_comments.json", 1)[0]  # the submission listing
    reddit.add("GET", "/r/all/search/", SEARCH, body=thread)

    result = connector.fetch(source_for(reddit, since="all"), {}, [PRAW])

    by_id = {mention.external_id: mention for mention in result.mentions}
    assert list(by_id) == ["t3_2gmzqe", "t1_cklfmye", "t1_cklhv0f"]
    assert by_id["t1_cklfmye"].parent_external_id == "t3_2gmzqe"
    assert by_id["t1_cklhv0f"].parent_external_id == "t1_cklfmye"  # a reply to a reply
    reply = by_id["t1_cklhv0f"]
    assert reply.author == "bboe" and reply.text.startswith("Yes it does.")
    assert reply.title == "[PRAW] HTTPS enabled PRAW testing needed"
    assert reply.url == "https://www.reddit.com/r/redditdev/comments/2gmzqe/_/cklhv0f/"
    assert reply.extra["link_id"] == "t3_2gmzqe" and reply.extra["subreddit"] == "redditdev"


def test_own_subreddits_bring_new_posts_and_comments(reddit, credentials, connector):
    reddit.load_cassette(CASSETTES / "TestSubredditStreams.test_comments__with_pause.json")
    reddit.add("GET", "/r/kakapo/new", {"limit": 100}, body=listing([post("kakapo1", 3600, title="Kakapo season")]))
    kakapo = Brand(name="Kakapo", keywords=["kakapo"])

    result = connector.fetch(source_for(reddit, subreddits=[], own_subreddits=["kakapo"], since="all"), {}, [kakapo])

    ids = [mention.external_id for mention in result.mentions]
    assert ids[0] == "t3_kakapo1" and len(ids) == 17 and all(item.startswith("t1_") for item in ids[1:])
    comment = next(mention for mention in result.mentions if mention.external_id == "t1_dg8ievl")
    assert comment.parent_external_id == "t1_dg7dqfd" and comment.extra["link_id"] == "t3_654eqk"
    assert comment.title.startswith("KAKAPO CALLS")
    assert not asked(reddit, "/r/all/search")  # subreddits: [] searches nowhere
    assert set(result.cursor["queries"]) == {"new:kakapo:", "comments:kakapo:"}


def test_429_waits_as_long_as_reddit_asks_then_succeeds(reddit, credentials, connector, waits):
    reddit.add("GET", "/r/all/search/", SEARCH, status=429, headers={"Retry-After": "3"}, body={"message": "Too Many Requests", "error": 429})
    reddit.add("GET", "/r/all/search/", SEARCH, body=listing([post("after429", 60)]))

    result = connector.fetch(source_for(reddit), {}, [PRAW])

    assert waits == [3.0]
    assert [mention.external_id for mention in result.mentions] == ["t3_after429"] and not result.problems


def test_503_followed_by_success_loses_nothing(reddit, credentials, connector):
    reddit.add("GET", "/r/all/search/", SEARCH, status=503, body="<html>upstream unavailable</html>", headers={"content-type": "text/html"})
    reddit.add("GET", "/r/all/search/", SEARCH, body=listing([post("after503", 60)]))

    result = connector.fetch(source_for(reddit), {}, [PRAW])

    assert [mention.external_id for mention in result.mentions] == ["t3_after503"] and not result.problems
    assert len(asked(reddit, "/r/all/search")) == 2


def test_failing_query_keeps_its_cursor_while_the_others_advance(reddit, credentials, connector):
    slack = Brand(name="Slack", keywords=["Slack", "Slack Technologies"])
    slack_search = {**SEARCH, "q": 'Slack OR "Slack Technologies"'}
    reddit.add("GET", "/r/all/search/", SEARCH, body=listing([post("praw1", 60)]))
    reddit.add("GET", "/r/all/search/", slack_search, status=429, headers={"Retry-After": "900"}, body={"error": 429})
    old_cursor = {"queries": {'search:all:Slack OR "Slack Technologies"': {"created_utc": 1.0, "seen": []}}}

    result = connector.fetch(source_for(reddit, max_wait_seconds=60), old_cursor, [PRAW, slack])

    assert [mention.external_id for mention in result.mentions] == ["t3_praw1"]
    assert result.cursor["queries"]['search:all:Slack OR "Slack Technologies"'] == {"created_utc": 1.0, "seen": []}
    assert "t3_praw1" in result.cursor["queries"]["search:all:PRAW"]["recent"]
    assert len(result.problems) == 1 and "HTTP 429" in result.problems[0] and "Slack" in result.problems[0]


def test_rate_limit_outlasting_the_budget_fails_the_run_and_the_next_run_resumes(engine, make_config, reddit, credentials):
    reddit.add("GET", "/r/all/search/", {**SEARCH, "q": "Nokia"}, status=429, headers={"Retry-After": "900"}, body={"error": 429})
    reddit.add("GET", "/r/all/search/", {**SEARCH, "q": "Nokia"}, body=listing([post("n1", 120, title="Nokia 3310 battery died")]))
    config = make_config({
        "brands": [{"name": "Nokia", "keywords": ["Nokia"]}],
        "sources": [{"name": "reddit-nokia", "type": "reddit",
                     "options": {"oauth_url": reddit.url, "reddit_url": reddit.url, "max_wait_seconds": 60}}],
    })
    source = config.sources[0]

    with pytest.raises(ConnectorError, match="reddit-nokia.*HTTP 429"):
        ingest_source(engine, config, source)
    stored = ingest_source(engine, config, source)
    again = ingest_source(engine, config, source)

    assert (stored.stored, again.fetched, again.stored) == (1, 0, 0)
    with session_scope(engine) as session:
        runs = session.scalars(select(Run).order_by(Run.id)).all()
        assert [run.status for run in runs] == ["failed", "ok", "ok"]
        assert "will resume there next run" in runs[0].message
        mention = session.scalar(select(Mention))
        assert (mention.external_id, mention.brand, mention.source_type) == ("t3_n1", "Nokia", "reddit")
        assert mention.extra["subreddit"] == "redditdev" and mention.url.startswith("https://www.reddit.com/r/redditdev/")
        assert session.scalar(select(Source)).cursor["queries"]["search:all:Nokia"]["recent"].keys() == {"t3_n1"}


@pytest.mark.parametrize("missing", ["REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "REDDIT_USER_AGENT"])
def test_missing_credentials_name_the_variable_to_set(reddit, credentials, connector, monkeypatch, missing):
    monkeypatch.delenv(missing)
    with pytest.raises(ConnectorAuthError, match=f"reddit-test.*set {missing} .*reddit.com/prefs/apps"):
        connector.fetch(source_for(reddit), {}, [PRAW])
    assert reddit.requests == []


@pytest.mark.parametrize("variable, wrong, named", [
    ("REDDIT_CLIENT_SECRET", "not-the-secret", "REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET"),
    ("REDDIT_PASSWORD", "wrong password", "REDDIT_USERNAME and REDDIT_PASSWORD"),
])
def test_rejected_credentials_are_a_clear_auth_error(reddit, account, connector, monkeypatch, variable, wrong, named):
    monkeypatch.setenv(variable, wrong)
    with pytest.raises(ConnectorAuthError, match=f"rejected.*check {named}"):
        connector.fetch(source_for(reddit), {}, [PRAW])


@pytest.mark.parametrize("cassette, thing, posted", [
    ("TestSubmission.test_reply.json", "t3_4b1tfm", "t1_d162ara"),
    ("TestComment.test_reply.json", "t1_d1616q2", "t1_d1680wu"),
])
def test_reply_posts_a_comment_and_returns_its_fullname(reddit, account, connector, cassette, thing, posted):
    reddit.load_cassette(CASSETTES / cassette)

    assert connector.reply(source_for(reddit), thing, "Sorry about that, we are on it!") == posted
    sent = [request.form for request in reddit.requests if request.path.rstrip("/") == "/api/comment"]
    assert sent == [{"api_type": "json", "text": "Sorry about that, we are on it!", "thing_id": thing}]


def test_reply_without_an_account_says_which_variables_to_set(reddit, credentials, connector):
    with pytest.raises(ConnectorAuthError, match="REDDIT_REFRESH_TOKEN, or REDDIT_USERNAME and REDDIT_PASSWORD"):
        connector.reply(source_for(reddit), "t3_4b1tfm", "Hello")
    assert reddit.requests == []


def test_reply_to_something_that_is_not_a_fullname_is_refused(reddit, account, connector):
    with pytest.raises(ConnectorError, match="expected a Reddit fullname"):
        connector.reply(source_for(reddit), "4b1tfm", "Hello")


def test_find_own_reply_recognises_an_already_posted_reply(reddit, account, connector):
    recorded = recorded_body("TestSubmission.test_reply.json", 1)["json"]["data"]["things"][0]
    ours = copy.deepcopy(recorded)
    ours["data"].update(author=USER[0], body="Sorry about that, we are on it!\n")
    reddit.add("GET", "/api/v1/me", body={"name": USER[0], "id": "bot1"})
    reddit.add("GET", f"/user/{USER[0]}/comments/", {"sort": "new", "limit": 100}, body=listing([recorded, ours]))

    source = source_for(reddit)
    assert connector.find_own_reply(source, "t3_4b1tfm", "Sorry about that, we are on it!") == "t1_d162ara"
    assert connector.find_own_reply(source, "t3_4b1tfm", "A different text") is None
    assert connector.find_own_reply(source, "t3_other", "Sorry about that, we are on it!") is None


def test_invalid_options_name_the_option(reddit, credentials, connector):
    with pytest.raises(ConnectorError, match="options.own_subreddits: .*not subreddit names.*bad name"):
        connector.fetch(source_for(reddit, own_subreddits=["bad name"]), {}, [PRAW])
    with pytest.raises(ConnectorError, match="options.since"):
        connector.fetch(source_for(reddit, since="last week"), {}, [PRAW])


def test_demo_replays_bundled_responses_without_credentials(sqlite_engine, make_config, monkeypatch):
    for name in ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "REDDIT_USER_AGENT"):
        monkeypatch.delenv(name, raising=False)
    brands = yaml.safe_load(DEMO_CONFIG.read_text())["brands"]
    demo = make_config({
        "brands": brands,
        "sources": [{"name": "reddit-demo", "type": "reddit", "path": str(DEMO), "options": {"since": "all"}}],
    })

    first = ingest_source(sqlite_engine, demo, demo.sources[0])
    second = ingest_source(sqlite_engine, demo, demo.sources[0])

    assert first.stored >= 6 and first.status == "ok" and second.fetched == 0
    with session_scope(sqlite_engine) as session:
        brands = {brand for (brand,) in session.execute(select(Mention.brand))}
        comments = session.scalars(select(Mention).where(Mention.parent_external_id.is_not(None))).all()
    assert brands == {"Nokia", "Slack"} and comments


def test_a_thread_removed_since_the_search_keeps_the_hit_and_says_so(reddit, credentials, connector):
    reddit.add("GET", "/r/all/search/", SEARCH, body=listing([post("gone", 60, num_comments=4)]))

    result = connector.fetch(source_for(reddit), {}, [PRAW])

    assert [mention.external_id for mention in result.mentions] == ["t3_gone"]
    assert result.problems == ["not found while reading the comments of t3_gone: check the subreddit name or the id"]
    assert result.cursor["queries"]["search:all:PRAW"]["recent"].keys() == {"t3_gone"}


def test_a_post_search_indexes_late_under_an_older_time_is_still_found(reddit, credentials, connector):
    """Reddit search may list a post hours after it was made: it arrives below the newest one the last run saw.
    Each run re-reads the overlap window (default 2h) and returns only what it had not seen."""
    earlier, newest = post("earlier", 600), post("newest", 60)
    late, fresh = post("late", 1800), post("fresh", 30)  # `late` was made 30 minutes ago but is listed only now
    reddit.add("GET", "/r/all/search/", SEARCH, body=listing([newest, earlier]))
    reddit.add("GET", "/r/all/search/", SEARCH, body=listing([fresh, newest, earlier, late]))
    source = source_for(reddit, thread_comments=False)

    first = connector.fetch(source, {}, [PRAW])
    second = connector.fetch(source, first.cursor, [PRAW])

    assert [mention.external_id for mention in first.mentions] == ["t3_newest", "t3_earlier"]
    assert [mention.external_id for mention in second.mentions] == ["t3_fresh", "t3_late"]
    assert second.cursor["queries"]["search:all:PRAW"]["recent"].keys() == {"t3_fresh", "t3_newest", "t3_earlier", "t3_late"}
