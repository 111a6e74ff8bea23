"""Reddit credentials from a Prefect Secret block (`options.credentials_block`), read from a real Prefect API server:
the block's JSON object logs in to the loopback Reddit replay with no REDDIT_* variable set; a wrong or missing
block is a clear auth error that never shows the secret."""
from __future__ import annotations

import json
import time

import pytest

from careloop.config import Brand, SourceConfig
from connectors import ConnectorAuthError
from connectors.reddit import RedditConnector
from connectors.reddit_replay import ReplayServer

CLIENT = ("block-client-id", "block-client-secret-7f3a")
SEARCH = {"q": "PRAW", "sort": "new", "t": "all", "syntax": "lucene", "restrict_sr": "False", "limit": 100}


@pytest.fixture
def reddit(monkeypatch):
    for name in ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "REDDIT_USER_AGENT", "REDDIT_REFRESH_TOKEN",
                 "REDDIT_USERNAME", "REDDIT_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    server = ReplayServer(client=CLIENT, user=("careloop_bot", "pw"))
    server.start()
    yield server
    server.stop()


def test_credentials_come_from_a_prefect_secret_block(prefect_harness, reddit):
    from prefect.blocks.system import Secret

    Secret(value=json.dumps({"client_id": CLIENT[0], "client_secret": CLIENT[1], "user_agent": "careloop-block-test"})).save(
        "careloop-reddit-test", overwrite=True)
    Secret(value=json.dumps({"client_id": CLIENT[0], "client_secret": "wrong", "user_agent": "careloop-block-test"})).save(
        "careloop-reddit-wrong", overwrite=True)
    hit = {"kind": "t3", "data": {"id": "blk", "name": "t3_blk", "title": "PRAW from a block", "selftext": "PRAW works",
                                   "created_utc": time.time() - 60, "subreddit": "redditdev", "author": "someone",
                                   "num_comments": 0, "is_self": True, "permalink": "/r/redditdev/comments/blk/x/"}}
    reddit.add("GET", "/r/all/search/", SEARCH, body={"kind": "Listing", "data": {"children": [hit], "after": None}})

    def source(block: str) -> SourceConfig:
        return SourceConfig(name="reddit-block", type="reddit", options={
            "oauth_url": reddit.url, "reddit_url": reddit.url, "credentials_block": block, "thread_comments": False})

    result = RedditConnector(sleep=lambda _: None).fetch(source("careloop-reddit-test"), {}, [Brand(name="PRAW", keywords=["PRAW"])])
    assert [mention.external_id for mention in result.mentions] == ["t3_blk"]

    with pytest.raises(ConnectorAuthError, match="REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET") as wrong:
        RedditConnector(sleep=lambda _: None).fetch(source("careloop-reddit-wrong"), {}, [Brand(name="PRAW", keywords=["PRAW"])])
    with pytest.raises(ConnectorAuthError, match="cannot read Prefect Secret block 'no-such-block'") as missing:
        RedditConnector(sleep=lambda _: None).fetch(source("no-such-block"), {}, [Brand(name="PRAW", keywords=["PRAW"])])
    assert CLIENT[1] not in str(wrong.value) + str(missing.value)
