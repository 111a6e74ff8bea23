"""Reddit through PRAW: each brand's keywords searched in the configured subreddits (default: all of
Reddit), plus new posts and comments in the brand's own subreddits; replies for the publisher.

Incremental per query: the cursor keeps, for every search and listing, the newest creation time
seen (and the fullnames at that second), so a run reads newest-first and stops where the last one
ended. A query that still fails after back-off keeps its old cursor: the next run resumes there.

Credentials come from environment variables (or a Prefect Secret block), never from careloop.yaml.
A source with `path:` replays recorded API responses from that directory on a loopback server
instead of calling reddit.com (the offline demo).
"""
from __future__ import annotations

import json
import os
import re
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

import praw
from praw.exceptions import PRAWException, RedditAPIException
from prawcore.exceptions import (
    Forbidden, NotFound, OAuthException, PrawcoreException, Redirect, RequestException, ResponseException,
    ServerError, TooManyRequests,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from careloop.config import Brand, SourceConfig
from careloop.logs import remember_secret

from .base import (ConnectorAuthError, ConnectorError, ConnectorUnavailable, FetchedMention, FetchResult, current_deadline,
                   options_of, register)
from .text import safe_url
from .http import BoundedSession
from .incremental import Mark, newer_than
from .reddit_items import Query, comment_mention, queries_for, submission_mention, thread_comments
from .reddit_replay import serve_replay

# PRAW setting → environment variable that supplies it.
CREDENTIAL_VARIABLES = {
    "client_id": "REDDIT_CLIENT_ID",
    "client_secret": "REDDIT_CLIENT_SECRET",
    "user_agent": "REDDIT_USER_AGENT",
    "refresh_token": "REDDIT_REFRESH_TOKEN",
    "username": "REDDIT_USERNAME",
    "password": "REDDIT_PASSWORD",
}
REQUIRED_CREDENTIALS = ("client_id", "client_secret", "user_agent")
BACKOFF_SECONDS = 2.0  # first wait after a 5xx that prawcore's own retries did not cure; doubles
OWN_REPLIES_CHECKED = 100  # the account's newest comments searched for an already posted reply
_SUBREDDIT = re.compile(r"^[A-Za-z0-9_]{2,21}$")
_SINCE = re.compile(r"^(\d+)\s*([mhdw])$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
T = TypeVar("T")


class RedditOptions(BaseModel):
    """`options:` of a `type: reddit` source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subreddits: list[str] = ["all"]  # where brand keywords are searched; [] searches nowhere
    own_subreddits: list[str] = []  # every new post and comment here is read
    since: str = "7d"  # backfill on the first run: "<n>m|h|d|w" or "all"
    # Re-read this far behind the newest item seen: search indexes some posts late, under their older time.
    overlap: str = "2h"
    limit: int = Field(default=1000, ge=1, le=1000)  # items per query per run (Reddit lists at most 1000)
    thread_comments: bool = True  # also read the comment tree of each newly found search hit
    more_comments: int = Field(default=0, ge=0)  # "load more comments" links expanded per thread (1 request each)
    # With an account: replies to its comments (the account's inbox, one request) and, for `follow_threads` after
    # each of its comments, new comments in that thread (one request per thread, at most `follow_threads_max`).
    conversations: bool = True
    follow_threads: str = "3d"
    follow_threads_max: int = Field(default=25, ge=0)
    credentials_block: str | None = None  # Prefect Secret block holding a JSON object of credentials
    oauth_url: str = "https://oauth.reddit.com"
    reddit_url: str = "https://www.reddit.com"
    retries: int = Field(default=3, ge=0)  # after a 429 or a persistent 5xx
    max_wait_seconds: float = Field(default=120, ge=0)  # total back-off per request before giving up

    @field_validator("subreddits", "own_subreddits", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        # "nokia+NokiaPhones" and ["nokia", "NokiaPhones"] mean the same, as on Reddit.
        if isinstance(value, str):
            value = value.split("+")
        if isinstance(value, list):
            value = [str(name).strip().removeprefix("r/") for name in value]
            bad = [name for name in value if not _SUBREDDIT.match(name)]
            if bad:
                raise ValueError(f"not subreddit names: {bad}")
        return value

    @field_validator("since", "overlap", "follow_threads")
    @classmethod
    def _since(cls, value: str, info) -> str:
        if (value != "all" or info.field_name != "since") and not _SINCE.match(value.strip()):
            raise ValueError('expected "<number><m|h|d|w>" such as "7d"' + (', or "all"' if info.field_name == "since" else ""))
        return value.strip()

    @field_validator("oauth_url", "reddit_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if safe_url(value) is None:
            raise ValueError("expected an absolute http(s) URL")
        return value.rstrip("/")

    def backfill_from(self, now: float) -> float:
        return 0.0 if self.since == "all" else now - _seconds(self.since)

    def overlap_seconds(self) -> float:
        return _seconds(self.overlap)

    def follow_seconds(self) -> float:
        return _seconds(self.follow_threads)


def _seconds(duration: str) -> float:
    amount, unit = _SINCE.match(duration).groups()
    return int(amount) * _UNIT_SECONDS[unit]


def reddit_options(source: SourceConfig) -> RedditOptions:
    return options_of(source)


# ── credentials and the PRAW client ──────────────────────────────────────────────────────────────

def reddit_credentials(source: SourceConfig, options: RedditOptions, *, need_user: bool = False) -> dict[str, str]:
    """PRAW credentials from the Secret block (if named) and the environment; errors name the variable."""
    values = _block_credentials(source, options.credentials_block) if options.credentials_block else {}
    for setting, variable in CREDENTIAL_VARIABLES.items():
        if not values.get(setting) and os.environ.get(variable):
            values[setting] = os.environ[variable]
    missing = [CREDENTIAL_VARIABLES[setting] for setting in REQUIRED_CREDENTIALS if not values.get(setting)]
    if missing:
        raise ConnectorAuthError(source.name, f"Reddit credentials missing: set {', '.join(missing)} "
                                 "(create a \"script\" app at https://www.reddit.com/prefs/apps)")
    if bool(values.get("username")) != bool(values.get("password")):
        absent = "REDDIT_PASSWORD" if values.get("username") else "REDDIT_USERNAME"
        raise ConnectorAuthError(source.name, f"set {absent} too: a Reddit login needs both REDDIT_USERNAME and REDDIT_PASSWORD")
    if need_user and not (values.get("refresh_token") or values.get("username")):
        raise ConnectorAuthError(source.name, "replying needs a Reddit account: set REDDIT_REFRESH_TOKEN, "
                                 "or REDDIT_USERNAME and REDDIT_PASSWORD (read-only mode otherwise)")
    return values


def _block_credentials(source: SourceConfig, block_name: str) -> dict[str, str]:
    from prefect.blocks.system import Secret  # only sources that name a block pay for the import

    try:
        value = Secret.load(block_name).get()
        value = json.loads(value) if isinstance(value, str) else value
    except Exception as exc:
        raise ConnectorAuthError(source.name, f"cannot read Prefect Secret block {block_name!r}: {type(exc).__name__}") from None
    if not isinstance(value, dict):
        raise ConnectorAuthError(source.name, f"Prefect Secret block {block_name!r} must hold a JSON object with keys {sorted(CREDENTIAL_VARIABLES)}")
    credentials = {key: str(item) for key, item in value.items() if key in CREDENTIAL_VARIABLES and item}
    for key in ("client_secret", "password", "refresh_token"):
        remember_secret(credentials.get(key))  # never in a log line (careloop/logs.py)
    return credentials


@contextmanager
def reddit_client(source: SourceConfig, options: RedditOptions, *, need_user: bool = False) -> Iterator[praw.Reddit]:
    if source.path is not None:
        # Offline: recorded responses on loopback; the replay server accepts any credentials.
        with serve_replay(source.path) as replay:
            yield _praw(source, {"client_id": "replay", "client_secret": "replay", "user_agent": "careloop replay",
                                 "username": "careloop_demo", "password": "replay"}, replay.url, replay.url)
        return
    yield _praw(source, reddit_credentials(source, options, need_user=need_user), options.oauth_url, options.reddit_url)


def _praw(source: SourceConfig, credentials: dict[str, str], oauth_url: str, reddit_url: str) -> praw.Reddit:
    return praw.Reddit(
        **{setting: credentials.get(setting) for setting in CREDENTIAL_VARIABLES},
        oauth_url=oauth_url, reddit_url=reddit_url, timeout=max(1, round(source.timeout_seconds)),
        check_for_updates=False, check_for_async=False,
        requestor_kwargs={"session": BoundedSession(source.name)},  # the fetch's deadline and the size cap
    )


# ── threads we answered ──────────────────────────────────────────────────────────────────────────

def threads_we_answered(reddit: praw.Reddit, options: RedditOptions, problems: list[str]) -> list[FetchedMention]:
    """The comments of each thread the account commented in within `follow_threads`, from its first comment there
    on (ours included, so an exchange answered by hand on Reddit is stored too): new comments in a thread we
    answered come back to the queue. Ingest skips the ones it already has."""
    since = time.time() - options.follow_seconds()
    first_ours: dict[str, float] = {}  # thread → our first comment's time; newest threads first
    for comment in reddit.user.me().comments.new(limit=OWN_REPLIES_CHECKED):
        data = vars(comment)
        created = float(data.get("created_utc") or 0)
        if created < since:
            break
        if link_id := str(data.get("link_id") or ""):
            first_ours[link_id] = min(created, first_ours.get(link_id, created))
    found: list[FetchedMention] = []
    for link_id, ours_from in list(first_ours.items())[:options.follow_threads_max]:
        submission = reddit.submission(id=link_id.removeprefix("t3_"))
        try:
            found += [mention for mention in thread_comments(submission, options.more_comments)
                      if mention.published_at.timestamp() >= ours_from - 1]  # datetimes keep microseconds only
        except (NotFound, Forbidden, Redirect) as exc:  # removed or locked away since we answered
            problems.append(str(_trouble(exc, f"re-reading the thread {link_id} we answered")))
    return found


# ── errors and back-off ──────────────────────────────────────────────────────────────────────────

class RedditTrouble(Exception):
    """A Reddit request failed for a reason other than credentials; the message says what to do. `retryable`:
    Reddit was rate limiting or unavailable past the back-off, so a later try may succeed."""

    def __init__(self, message: str, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


def _auth_error(source: SourceConfig, exc: Exception) -> ConnectorAuthError | None:
    if isinstance(exc, OAuthException):
        return ConnectorAuthError(source.name, f"Reddit rejected the account login ({exc.error}): check REDDIT_USERNAME "
                                  "and REDDIT_PASSWORD, or REDDIT_REFRESH_TOKEN")
    response = getattr(exc, "response", None)
    if isinstance(exc, ResponseException) and response is not None and "/api/v1/access_token" in (response.url or ""):
        return ConnectorAuthError(source.name, f"Reddit rejected the app credentials (HTTP {response.status_code} on the "
                                  "token request): check REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET")
    return None


def _trouble(exc: Exception, what: str) -> RedditTrouble:
    if isinstance(exc, Forbidden):
        return RedditTrouble(f"HTTP 403 while {what}: the subreddit is private or banned, or the account may not do this")
    if isinstance(exc, (NotFound, Redirect)):
        return RedditTrouble(f"not found while {what}: check the subreddit name or the id")
    if isinstance(exc, RedditAPIException):
        return RedditTrouble(f"Reddit refused while {what}: " + "; ".join(f"{item.error_type}: {item.message}" for item in exc.items))
    if isinstance(exc, ResponseException):
        return RedditTrouble(f"HTTP {exc.response.status_code} while {what}")
    return RedditTrouble(f"{type(exc).__name__} while {what}: {exc}")


@register("reddit")
class RedditConnector:
    Options = RedditOptions
    reply_max_chars = 10_000  # a Reddit comment's limit
    def __init__(self, sleep: Callable[[float], None] = time.sleep):
        self._sleep = sleep  # the back-off clock; tests pass one that records instead of waiting

    def with_backoff(self, source: SourceConfig, options: RedditOptions, what: str, action: Callable[[], T],
                     *, retry_server_errors: bool = True) -> T:
        """Run `action` (PRAW calls); after a 429 wait as Reddit asks, after a 5xx that prawcore's
        own two retries did not cure wait 2, 4, 8 … s, within `retries` and `max_wait_seconds`."""
        waited, deadline = 0.0, current_deadline()
        for attempt in range(options.retries + 1):
            try:
                return action()
            except TooManyRequests as exc:
                wait = _retry_after(exc, attempt)
                problem = f"rate limited by Reddit (HTTP 429) while {what}"
            except (ServerError, RequestException) as exc:
                if isinstance(getattr(exc, "original_exception", None), ConnectorError):  # deadline or size cap
                    raise RedditTrouble(exc.original_exception.message) from None
                if not retry_server_errors:
                    raise _trouble(exc, what) from None
                wait = BACKOFF_SECONDS * 2 ** attempt
                problem = f"Reddit unavailable ({exc}) while {what}"
            except (PrawcoreException, PRAWException) as exc:
                raise _auth_error(source, exc) or _trouble(exc, what) from None
            if attempt == options.retries or waited + wait > options.max_wait_seconds or (
                    deadline is not None and wait >= deadline.remaining()):
                break
            self._sleep(wait)
            waited += wait
        raise RedditTrouble(f"{problem}; gave up after {attempt + 1} attempt(s) and {waited:g}s of waiting", retryable=True)

    def fetch(self, source: SourceConfig, cursor: dict[str, Any], brands: list[Brand]) -> FetchResult:
        options = reddit_options(source)
        backfill_from = options.backfill_from(time.time())
        marks = cursor.get("queries", {})
        queries = queries_for(source, options.subreddits, options.own_subreddits, brands)
        mentions: list[FetchedMention] = []
        new_marks: dict[str, dict] = {}
        problems: list[str] = []  # fetched anyway, with a note for the run log
        failed: list[str] = []  # queries that got nothing this run
        temporary: list[bool] = []  # whether each failure may pass (rate limit, outage)
        with reddit_client(source, options) as reddit:
            following = options.conversations and not reddit.read_only  # an account's inbox and comments
            if following:
                queries.append(Query("replies", "inbox"))
            for query in queries:
                mark = Mark.from_cursor(marks.get(query.key), backfill_from, options.overlap_seconds())
                skipped: list[str] = []
                try:
                    items, found = self.with_backoff(source, options, query.describe(),
                                                     lambda: self._read(reddit, query, mark, options, skipped))
                except RedditTrouble as trouble:
                    # The query keeps its old mark, so the next run reads what this one missed.
                    failed.append(f"{trouble}; will resume there next run")
                    temporary.append(trouble.retryable)
                    if query.key in marks:
                        new_marks[query.key] = marks[query.key]
                    continue
                mentions += found
                problems += dict.fromkeys(skipped)  # a retried query notes the same thread once
                new_marks[query.key] = mark.after(items).to_cursor()
            if following and options.follow_threads_max:
                try:
                    mentions += self.with_backoff(source, options, "re-reading the threads we answered",
                                                  lambda: threads_we_answered(reddit, options, problems))
                except RedditTrouble as trouble:
                    problems.append(str(trouble))
        if queries and len(failed) == len(queries):
            raise (ConnectorUnavailable if all(temporary) else ConnectorError)(source.name, " | ".join(failed))
        return FetchResult(mentions, {"queries": new_marks}, failed + problems)

    def _read(self, reddit: praw.Reddit, query: Query, mark: Mark, options: RedditOptions,
              problems: list[str]) -> tuple[list, list[FetchedMention]]:
        items = newer_than(query.listing(reddit, options.limit), mark)
        if query.kind in ("comments", "replies"):
            return items, [comment_mention(item) for item in items]
        found = []
        for submission in items:
            found.append(submission_mention(submission))
            if query.kind == "search" and options.thread_comments and vars(submission).get("num_comments"):
                try:
                    found += thread_comments(submission, options.more_comments)
                except (NotFound, Forbidden, Redirect) as exc:
                    # Removed, private or quarantined since the search indexed it: nothing more to read.
                    problems.append(str(_trouble(exc, f"reading the comments of {submission.fullname}")))
        return items, found

    def reply(self, source: SourceConfig, mention_external_id: str, text: str) -> str:
        """Post `text` as a reply to a submission (t3_…) or comment (t1_…); returns the new comment's
        fullname. Only a 429 is retried here: after a 5xx the reply may exist, so the publisher asks
        `find_own_reply` first."""
        options = reddit_options(source)
        with reddit_client(source, options, need_user=True) as reddit:
            thing = _thing(source, reddit, mention_external_id)
            try:
                posted = self.with_backoff(source, options, f"replying to {mention_external_id}",
                                           lambda: thing.reply(text), retry_server_errors=False)
            except RedditTrouble as trouble:
                raise ConnectorError(source.name, str(trouble)) from None
        if posted is None:
            raise ConnectorError(source.name, f"Reddit accepted no reply to {mention_external_id} (thread locked or archived?)")
        return posted.fullname

    def find_own_reply(self, source: SourceConfig, mention_external_id: str, text: str) -> str | None:
        """The fullname of this account's reply to `mention_external_id` with `text`, if already posted.

        Reads the account's newest comments rather than the thread: one request, and a fresh reply
        in a long thread may sit behind "load more comments"."""
        options = reddit_options(source)
        wanted = text.strip()

        def look() -> str | None:
            for comment in reddit.user.me().comments.new(limit=OWN_REPLIES_CHECKED):
                data = vars(comment)
                if data.get("parent_id") == mention_external_id and (data.get("body") or "").strip() == wanted:
                    return comment.fullname
            return None

        with reddit_client(source, options, need_user=True) as reddit:
            try:
                return self.with_backoff(source, options, f"looking for our reply to {mention_external_id}", look)
            except RedditTrouble as trouble:
                raise ConnectorError(source.name, str(trouble)) from None


def _retry_after(exc: TooManyRequests, attempt: int) -> float:
    try:
        return max(0.0, float(exc.retry_after))
    except (TypeError, ValueError):
        return BACKOFF_SECONDS * 2 ** attempt


def _thing(source: SourceConfig, reddit: praw.Reddit, fullname: str):
    kind, _, thing_id = fullname.partition("_")
    if kind == "t3" and thing_id:
        return reddit.submission(id=thing_id)
    if kind == "t1" and thing_id:
        return reddit.comment(id=thing_id)
    raise ConnectorError(source.name, f"cannot reply to {fullname!r}: expected a Reddit fullname t3_… or t1_…")
