"""Conversations continue on Reddit: the real PRAW client against the loopback fake Reddit reads replies to our
comments (the account's inbox) and new comments in threads we answered; ingest attaches them to the conversation
we answered, drafting queues a reply, and the mention page shows the whole exchange in order with ours marked."""
from __future__ import annotations

import copy
import time

import httpx
from sqlalchemy import select, update

from drafting import decisions
from drafting.pipeline import draft_mentions
from careloop.webapp import create_app
from inbox.users import add_user
from ingest.pipeline import ingest_source
from publishing.pipeline import publish_pending
from store.db import session_scope
from store.models import Draft, Mention
from tests.connectors.test_reddit import (  # noqa: F401 (fixtures)
    CASSETTES, SEARCH, USER, account, connector, credentials, listing, post, recorded_body, reddit, source_for, waits,
)
from tests.inbox.conftest import PASSWORD, LiveServer, login

RECORDED_REPLY = recorded_body("TestComment.test_reply.json", 1)["json"]["data"]["things"][0]  # a t1 as Reddit sends it


def comment(comment_id: str, parent: str, thread: str, body: str, author: str, age_seconds: float,
            title: str = "PRAW question", *, inbox: bool = False) -> dict:
    """A comment in the recorded shape; `inbox` gives it the fields of an entry in /message/comments (no permalink,
    a context link, the thread's title), as Reddit lists replies to the account's comments."""
    data = copy.deepcopy(RECORDED_REPLY["data"])
    data.update(id=comment_id, name=f"t1_{comment_id}", parent_id=parent, link_id=thread, body=body, author=author,
                subreddit="redditdev", created_utc=time.time() - age_seconds, body_html=None)
    if inbox:
        data.update(was_comment=True, type="comment_reply", subject="comment reply", new=True, link_title=title,
                    context=f"/r/redditdev/comments/{thread[3:]}/_/{comment_id}/?context=3", dest=USER[0])
    else:
        data["permalink"] = f"/r/redditdev/comments/{thread[3:]}/_/{comment_id}/"
    return {"kind": "t1", "data": data}


def thread(submission: dict, comments: list[dict]) -> list[dict]:
    """GET /comments/<id>/ answers the submission's listing, then its comment tree's."""
    return [listing([submission]), listing(comments)]


def serve_account(reddit, ours: list[dict], replies: list[dict], threads: dict[str, list[dict]]) -> None:
    reddit.add("GET", "/api/v1/me", body={"name": USER[0], "id": "bot1"})
    reddit.add("GET", f"/user/{USER[0]}/comments/", {"sort": "new", "limit": 100}, body=listing(ours))
    reddit.add("GET", "/message/comments/", {"limit": 100}, body=listing(replies))
    for thread_id, body in threads.items():
        reddit.add("GET", f"/comments/{thread_id}/", {"sort": "confidence", "limit": 2048}, body=body)


def test_replies_to_our_comments_and_new_comments_in_threads_we_answered_are_read(reddit, account, connector):
    question = post("q1", 7200, title="PRAW question", num_comments=3)
    ours = comment("ours1", "t3_q1", "t3_q1", "Use the `after` parameter.", USER[0], 3600)
    before_us = comment("early1", "t3_q1", "t3_q1", "Same here.", "early_bird", 5000)
    newcomer = comment("late1", "t3_q1", "t3_q1", "Does that work for search too?", "newcomer", 600)
    answer = comment("theirs1", "t1_ours1", "t3_q1", "Thanks, but it stops after 1000.", "someone", 300, inbox=True)
    serve_account(reddit, [ours], [answer], {"q1": thread(question, [before_us, ours, newcomer])})

    result = connector.fetch(source_for(reddit, subreddits=[], since="all"), {}, [])

    by_id = {mention.external_id: mention for mention in result.mentions}
    assert set(by_id) == {"t1_theirs1", "t1_ours1", "t1_late1"}  # the comment from before our reply is not new
    assert by_id["t1_theirs1"].parent_external_id == "t1_ours1" and by_id["t1_theirs1"].title == "PRAW question"
    assert by_id["t1_theirs1"].url == "https://www.reddit.com/r/redditdev/comments/q1/_/theirs1/"
    assert by_id["t1_late1"].extra["link_id"] == "t3_q1"
    assert not result.problems and not reddit.unmatched
    assert list(result.cursor["queries"]) == ["replies:inbox:"]

    again = connector.fetch(source_for(reddit, subreddits=[], since="all"), result.cursor, [])
    assert "t1_theirs1" not in {mention.external_id for mention in again.mentions}  # the inbox read resumes


def test_without_an_account_nothing_of_ours_is_read(reddit, credentials, connector):
    result = connector.fetch(source_for(reddit, subreddits=[], since="all"), {}, [])
    assert result.mentions == [] and reddit.requests == []


def test_a_reply_to_our_published_reply_joins_the_conversation_and_is_drafted(engine, make_config, reddit, account):
    nokia_search = {**SEARCH, "q": "Nokia"}
    title = "Nokia 3310 battery died"
    question = post("n1", 7200, title=title)
    question["data"]["selftext"] = "My Nokia 3310 battery died after a week. Any idea?"
    reddit.add("GET", "/r/all/search/", nokia_search, body=listing([question]))
    config = make_config({
        "brands": [{"name": "Nokia", "keywords": ["Nokia"]}],
        "replies": {"brand_accounts": [f"u/{USER[0]}"]},
        "sources": [{"name": "reddit-nokia", "type": "reddit",
                     "options": {"oauth_url": reddit.url, "reddit_url": reddit.url, "thread_comments": False}}],
    })
    source = config.sources[0]
    # The account's listings: empty on the first run; on the second, our reply, their answer and the thread.
    ours = comment("ours1", "t3_n1", "t3_n1", "Sorry to hear that! Does it charge at all?", USER[0], 3600, title)
    answer = comment("theirs1", "t1_ours1", "t3_n1", "It charges but dies within an hour.", "someone", 600, title,
                     inbox=True)
    other = comment("other1", "t3_n1", "t3_n1", "Mine too, after the last update.", "bystander", 300, title)
    serve_account(reddit, [], [], {})
    serve_account(reddit, [ours], [answer], {"n1": thread(question, [ours, other])})
    assert ingest_source(engine, config, source).stored == 1

    # careloop drafts, an agent approves, the publisher posts our reply to Reddit (t1_ours1)
    posted = copy.deepcopy(recorded_body("TestComment.test_reply.json", 1))
    posted["json"]["data"]["things"][0]["data"].update(id="ours1", name="t1_ours1", parent_id="t3_n1", link_id="t3_n1")
    reddit.add("POST", "/api/comment/", body=posted)
    with session_scope(engine) as session:
        session.execute(update(Mention).values(sentiment_label="negative"))
        draft_mentions(session, config)
        draft = session.scalar(select(Draft))
        assert draft.status == "pending"
        add_user(session, "alice", "agent", PASSWORD, display_name="Alice")
        decisions.approve(session, draft.id, "alice", "Sorry to hear that! Does it charge at all?", config=config)
    assert publish_pending(engine, config)["sent"] == 1

    # They answered our reply; another user commented in the thread after us.
    second = ingest_source(engine, config, source)
    assert (second.stored, second.continued) == (3, 3)

    with session_scope(engine) as session:
        stored = {mention.external_id: mention for mention in session.scalars(select(Mention))}
        root = stored["t3_n1"].id
        assert {key: mention.conversation_id for key, mention in stored.items()} == {
            "t3_n1": None, "t1_ours1": root, "t1_theirs1": root, "t1_other1": root}
        session.execute(update(Mention).where(Mention.sentiment_label.is_(None)).values(sentiment_label="neutral"))
        draft_mentions(session, config)
        drafts = {mention.external_id: draft for draft, mention in session.execute(
            select(Draft, Mention).join(Mention, Mention.id == Draft.mention_id))}
        # neutral, no question: a stranger's mention would need no reply, but they are talking to us
        assert drafts["t1_theirs1"].status == "pending" and drafts["t1_other1"].status == "pending"
        assert drafts["t1_ours1"].status == "no_reply_needed" and "brand's own account" in drafts["t1_ours1"].reason
        answer_id = stored["t1_theirs1"].id

    server = LiveServer(create_app(engine, config, session_secret="conversation-test-" + "y" * 32))
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert login(client, "alice").status_code == 303
            page = client.get(f"/mentions/{answer_id}").text
            queue = client.get("/").text
    finally:
        server.close()
    exchange = page[page.index('id="conversation"'):page.index('<article class="mention">')]
    said = ["My Nokia 3310 battery died", "Sorry to hear that! Does it charge at all?",
            "It charges but dies within an hour.", "Mine too, after the last update."]
    positions = [exchange.index(text) for text in said]
    assert positions == sorted(positions)  # their post, our reply, their answer, the newer comment
    assert exchange.count('class="said ours') == 1 and "approved by alice" in exchange
    assert exchange.count("Sorry to hear that!") == 1  # our reply read back from Reddit is not shown twice
    assert 'class="said current"' in exchange
    assert queue.count("↩ answers us") == 2
