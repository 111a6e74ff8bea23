"""Google Play reviews through the publisher's Google Play Developer API (`reviews.list`), signed in
as a service account the app's Play Console account has invited; replies through `reviews.reply`
(the service account needs the "Reply to reviews" permission).

The API returns only reviews with text created or edited in the last 7 days, newest first: run it
at least daily (hourly is well within the quota). Edited reviews come back with a newer time.
A review has at most one developer reply: `reviews.reply` posts it or overwrites it.
"""
from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

from careloop.config import Brand, SourceConfig
from careloop.strict import Strict

from .api import call, own_reply
from .base import ConnectorAuthError, ConnectorError, FetchedMention, FetchResult, register
from .reviews import collect_new, collect_new_and_first_page, fetch, from_unix, load_json, option, require_brand, secret, stars

API = "https://androidpublisher.googleapis.com"
SCOPE = "https://www.googleapis.com/auth/androidpublisher"
DEFAULT_CREDENTIALS_ENV = "GOOGLE_PLAY_SERVICE_ACCOUNT"
MAX_PAGES = 10  # 100 reviews a page: a week of reviews for all but the largest apps
REPLY_MAX_CHARS = 350  # reviews.reply: "Replies of more than approximately 350 characters will be rejected"
# (the same limit refuses approval: reply_max_chars below; this guards a send that bypassed it)


def _comment(review: dict, kind: str) -> dict | None:
    """The review's `userComment` or `developerComment` (a review holds at most one of each)."""
    comments = [comment for comment in review.get("comments") or [] if isinstance(comment, dict)]
    return next((comment[kind] for comment in comments if isinstance(comment.get(kind), dict)), None)


def review_to_mention(review: dict, package: str) -> FetchedMention | None:
    user = _comment(review, "userComment")
    review_id = review.get("reviewId")
    if user is None or not isinstance(review_id, str) or not review_id:
        return None
    reply = _comment(review, "developerComment") or {}
    # A review written with a title arrives as "title<TAB>body"; without one, as "<TAB>body".
    text = str(user.get("text") or "")
    title, _, body = text.partition("\t") if "\t" in text else ("", "", text)
    modified = (user.get("lastModified") or {}).get("seconds")
    extra = {
        "app_version": user.get("appVersionName"), "android_version": user.get("androidOsVersion"),
        "device": (user.get("deviceMetadata") or {}).get("productName") or user.get("device"),
        "reviewer_language": user.get("reviewerLanguage"), "thumbs_up": user.get("thumbsUpCount") or None,
        # Already answered in Play Console: the agent sees it rather than answering twice.
        "developer_reply": reply.get("text"),
    }
    return FetchedMention(
        external_id=review_id,
        text=body.strip(),
        title=title.strip() or None,
        author=str(review.get("authorName") or "").strip() or None,
        published_at=from_unix(modified),
        rating=stars(user.get("starRating")),
        url=f"https://play.google.com/store/apps/details?id={quote(package)}&reviewId={quote(review_id)}" if package else None,
        extra={key: value for key, value in extra.items() if value not in (None, "")},
        raw={"reviewId": review_id, "lastModified": modified, "starRating": user.get("starRating"),
             "appVersionName": user.get("appVersionName"), "reviewerLanguage": user.get("reviewerLanguage")},
    )


def parse_page(source: SourceConfig, content: bytes, where: str, package: str) -> tuple[list[FetchedMention], str | None]:
    """The reviews of one `reviews.list` response and the token of the next page."""
    payload = load_json(source, content, where)
    reviews = payload.get("reviews", []) if isinstance(payload, dict) else None
    if not isinstance(reviews, list):
        raise ConnectorError(source.name, f"{where} is JSON but not a reviews.list response (expected {{\"reviews\": [...]}})")
    token = (payload.get("tokenPagination") or {}).get("nextPageToken")
    mentions = [mention for review in reviews if isinstance(review, dict) and (mention := review_to_mention(review, package))]
    return mentions, token if isinstance(token, str) and token else None


def access_token(source: SourceConfig) -> tuple[str, str]:
    """(variable name, OAuth access token) for the service account whose key the variable holds,
    as a path to the JSON key file or as the JSON itself."""
    import google.auth.exceptions
    from google.auth.transport.requests import Request
    from google.oauth2 import service_account

    env, value = secret(source, "credentials_env", DEFAULT_CREDENTIALS_ENV)
    try:
        info = json.loads(value if value.startswith("{") else Path(value).read_text(encoding="utf-8"))
        credentials = service_account.Credentials.from_service_account_info(info, scopes=[SCOPE])
    except (OSError, ValueError, KeyError) as exc:
        raise ConnectorAuthError(source.name, f"{env} must hold a service-account JSON key or the path to one ({type(exc).__name__}: {exc})") from None
    try:
        credentials.refresh(partial(Request(), timeout=source.timeout_seconds))
    except google.auth.exceptions.RefreshError as exc:
        raise ConnectorAuthError(source.name, f"Google rejected the service account in {env}: {exc.args[0] if exc.args else exc}") from None
    except google.auth.exceptions.TransportError as exc:
        raise ConnectorError(source.name, f"could not reach Google's token endpoint: {exc}") from None
    return env, credentials.token


class GooglePlayOptions(Strict):
    """`options:` of a `type: googleplay` source."""

    package_name: str | None = None  # the app's id, e.g. com.nokia.care (required over HTTP)
    pages: int = MAX_PAGES  # pages of 100 reviews read per run, at most MAX_PAGES
    credentials_env: str = DEFAULT_CREDENTIALS_ENV  # the variable holding the service-account key (or its path)


@register("googleplay")
class GooglePlayConnector:
    Options = GooglePlayOptions
    reply_max_chars = REPLY_MAX_CHARS

    def fetch(self, source: SourceConfig, cursor: dict[str, Any], brands: list[Brand]) -> FetchResult:
        require_brand(source)
        package = str(source.options.get("package_name") or "")
        if source.path is not None:
            # A saved reviews.list response (demo): no credentials needed.
            document = fetch(source, str(source.path), cursor.get("validators", {}))
            if document.content is None:
                return FetchResult([], cursor)
            pages = iter([parse_page(source, document.content, str(source.path), package)[0]])
            validators = document.cursor
            mentions, newest, problems = collect_new(source, pages, cursor.get("newest"))
        else:
            # The newest page whole: a developer reply written or edited in Play Console does not move the review.
            mentions, newest, problems = collect_new_and_first_page(source, self._pages(source, package), cursor.get("newest"))
            validators = {}
        return FetchResult(mentions, {"newest": newest, "validators": validators}, problems)

    def _pages(self, source: SourceConfig, package: str) -> Iterator[list[FetchedMention]]:
        package = option(source, "package_name")
        env, token = access_token(source)
        url = f"{(source.url or API).rstrip('/')}/androidpublisher/v3/applications/{quote(package)}/reviews"
        page_token = None
        for _ in range(min(int(source.options.get("pages", MAX_PAGES)), MAX_PAGES)):
            params = {"maxResults": "100", **({"token": page_token} if page_token else {})}
            document = fetch(source, url, {}, secret_env=f"{env} (and that the service account is invited to {package} in Play Console)",
                             headers={"Authorization": f"Bearer {token}"}, params=params)
            mentions, page_token = parse_page(source, document.content, url, package)
            yield mentions
            if not page_token:
                return

    def reply(self, source: SourceConfig, mention_external_id: str, text: str) -> str:
        """Post `text` as the developer reply to review `mention_external_id`; returns "<review id>:reply" (Play has no
        id for a reply: a review has one). A 5xx or timeout may have posted it: the outbox asks find_own_reply first."""
        if len(text) > REPLY_MAX_CHARS:
            raise ConnectorError(source.name, f"the reply has {len(text)} characters; Google Play takes at most {REPLY_MAX_CHARS}")
        env, token = access_token(source)
        call(source, "POST", f"{self._review_url(source, mention_external_id)}:reply", token,
             credentials=f"{env} (and its \"Reply to reviews\" permission)", body={"replyText": text})
        return f"{mention_external_id}:reply"

    def find_own_reply(self, source: SourceConfig, mention_external_id: str, text: str) -> str | None:
        """Read the review back (`reviews.get`): our reply if it shows `text`, None if it has no developer reply.
        A different reply is someone's answer in Play Console: refused rather than overwritten."""
        env, token = access_token(source)
        review = call(source, "GET", self._review_url(source, mention_external_id), token, credentials=env) or {}
        current = str((_comment(review, "developerComment") or {}).get("text") or "")
        return own_reply(source, mention_external_id, current, text, f"{mention_external_id}:reply", "Play Console")

    @staticmethod
    def _review_url(source: SourceConfig, review_id: str) -> str:
        package = option(source, "package_name")
        return f"{(source.url or API).rstrip('/')}/androidpublisher/v3/applications/{quote(package, safe='')}/reviews/{quote(review_id, safe='')}"
