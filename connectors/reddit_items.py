"""What careloop asks Reddit (a query per brand search and per own-subreddit listing, keyed for its cursor) and
what comes back as careloop's mentions: a post or a comment (with its thread's title) becomes a FetchedMention with
a permalink to the real site, the fields worth keeping, and nothing PRAW would fetch again. No session here: the
connector (reddit.py) signs in, reads, backs off and replies."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import praw

from careloop.config import Brand, SourceConfig

from .base import FetchedMention
from .text import safe_url

REDDIT_SITE = "https://www.reddit.com"  # permalinks always point at the real site
PAGE_SIZE = 100  # Reddit's maximum per listing request
_RAW_KEYS = ("name", "subreddit", "author", "created_utc", "edited", "permalink", "score", "num_comments",
             "link_id", "parent_id", "url", "over_18", "locked", "removed_by_category")


@dataclass(frozen=True)
class Query:
    kind: str  # search | new | comments | replies (to the account's comments)
    subreddit: str  # "a+b" combines subreddits, "all" is all of Reddit
    text: str = ""  # the search expression

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.subreddit}:{self.text}"

    def describe(self) -> str:
        return {"search": f"searching r/{self.subreddit} for {self.text}",
                "new": f"reading new posts in r/{self.subreddit}",
                "comments": f"reading new comments in r/{self.subreddit}",
                "replies": "reading replies to our comments"}[self.kind]

    def listing(self, reddit: praw.Reddit, limit: int):
        if self.kind == "replies":
            return reddit.inbox.comment_replies(limit=limit, request_limit=PAGE_SIZE)
        subreddit = reddit.subreddit(self.subreddit)
        if self.kind == "search":
            return subreddit.search(self.text, sort="new", time_filter="all", limit=limit, request_limit=PAGE_SIZE)
        return getattr(subreddit, self.kind)(limit=limit, request_limit=PAGE_SIZE)


def search_expression(brand: Brand) -> str:
    """One Reddit search for all of a brand's terms; phrases quoted."""
    terms = [term.replace('"', " ").strip() for term in brand.terms]
    return " OR ".join(f'"{term}"' if " " in term else term for term in dict.fromkeys(terms) if term)


def queries_for(source: SourceConfig, subreddits: list[str], own_subreddits: list[str], brands: list[Brand]) -> list[Query]:
    """Each brand's search in `subreddits` (options.subreddits), and new posts and comments in `own_subreddits`."""
    searched = [brand for brand in brands if source.brand in (None, brand.name)] if subreddits else []
    queries = [Query("search", "+".join(subreddits), search_expression(brand)) for brand in searched]
    if own_subreddits:
        own = "+".join(own_subreddits)
        queries += [Query("new", own), Query("comments", own)]
    return queries



def _name(value: Any) -> str | None:
    # PRAW turns author/subreddit into objects; str() is their name without another request.
    return str(value) if value is not None else None


def _permalink(path: Any) -> str | None:
    # Search results append "?ref=search_posts": tracking, not part of the address.
    return safe_url(REDDIT_SITE + path.split("?")[0]) if isinstance(path, str) and path.startswith("/") else None


def _raw(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] if isinstance(data[key], (str, int, float, bool)) or data[key] is None else str(data[key])
            for key in _RAW_KEYS if key in data}


def submission_mention(submission) -> FetchedMention:
    data = vars(submission)  # the listing's fields; attribute access could trigger a fetch
    extra = {"subreddit": _name(data.get("subreddit")), "score": data.get("score"), "num_comments": data.get("num_comments")}
    if not data.get("is_self", True) and (link := safe_url(data.get("url"))):
        extra["link_url"] = link
    return FetchedMention(
        external_id=submission.fullname,
        text=data.get("selftext") or "",
        url=_permalink(data.get("permalink")),
        title=data.get("title"),
        author=_name(data.get("author")),
        published_at=datetime.fromtimestamp(float(data["created_utc"]), tz=timezone.utc),
        extra=extra,
        raw=_raw(data),
    )


def comment_mention(comment, thread_title: str | None = None) -> FetchedMention:
    data = vars(comment)
    subreddit, link_id = _name(data.get("subreddit")), str(data.get("link_id") or "")
    # Comments recorded before 2017 carry no permalink; Reddit resolves this form for any comment.
    permalink = data.get("permalink") or f"/r/{subreddit}/comments/{link_id.removeprefix('t3_')}/_/{data.get('id')}/"
    return FetchedMention(
        external_id=comment.fullname,
        text=data.get("body") or "",
        url=_permalink(permalink),
        # The thread's title: a reply in a thread about the brand is about the brand.
        title=data.get("link_title") or thread_title,
        author=_name(data.get("author")),
        published_at=datetime.fromtimestamp(float(data["created_utc"]), tz=timezone.utc),
        parent_external_id=data.get("parent_id"),
        extra={"subreddit": subreddit, "score": data.get("score"), "link_id": link_id or None},
        raw=_raw(data),
    )


def thread_comments(submission, more_comments: int) -> list[FetchedMention]:
    """Every comment of a submission's tree, nested replies included (one request, plus one per
    expanded "load more comments")."""
    submission.comments.replace_more(limit=more_comments)
    title = vars(submission).get("title")
    return [comment_mention(comment, title) for comment in submission.comments.list()]
