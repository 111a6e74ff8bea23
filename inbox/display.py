"""Readable forms of stored values for the inbox pages: durations, priority as words, the SLA timer, a source's
label and a mention's platform metadata as labelled fields. Pure functions (no database, no request), shared by
the queue and the mention page so the two never say different things about one draft."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from careloop.survey_settings import SlaSettings
from careloop.urls import safe_url

WAITING = ("pending", "escalated")  # the statuses whose clock runs against the SLA target
DUE_SOON = 0.25  # an item with under a quarter of its target left is shown as due soon
_UNITS = (("y", 365 * 86400), ("d", 86400), ("h", 3600), ("min", 60))


def duration_words(seconds: float, parts: int = 2) -> str:
    """"2 h 10 min", "3 d 4 h", "7 y" (parts=1): the largest units first, "< 1 min" under a minute. Years above
    365 days: a demo review 2,697 days old read as "2697 d" and wrapped in its column."""
    remaining, words = max(0, int(seconds)), []
    for unit, size in _UNITS:
        if remaining >= size and len(words) < parts:
            words.append(f"{remaining // size} {unit}")
            remaining %= size
        elif words:
            break  # "1 d 5 min" would skip the hours between: "1 d" reads truer
    return " ".join(words) or "< 1 min"


def age_words(moment: datetime | None, now: datetime) -> str:
    """How long ago, in its largest unit: "3 d", "7 y", "now" under a minute; "–" for no time."""
    if moment is None:
        return "–"
    seconds = (now - moment).total_seconds()
    return duration_words(seconds, parts=1) if seconds >= 60 else "now"


def priority_parts(priority: int, sla: SlaSettings, sentiment: str | None, rating: float | None,
                   since: datetime | None, now: datetime) -> list[str]:
    """["high", "negative", "1★", "3 d old"]: what the priority number (e.g. 1548) is made of, in the order
    drafting/pipeline.py weighs it; the class is the `sla:` block's, whose target the timer counts against."""
    parts = [sla.priority_class(priority)]
    if sentiment:
        parts.append(sentiment)
    if rating is not None:
        parts.append(f"{rating:.0f}★")
    if since is not None:
        parts.append(f"{age_words(since, now)} old")
    return parts


@dataclass(frozen=True)
class SlaTimer:
    text: str  # "2 h 10 min of 1 h" past the target, "50 min left" before it
    state: str  # "breached", "due-soon" or "on-time": the CSS class
    title: str  # the whole sentence, for a tooltip and screen readers


def sla_timer(status: str, priority: int, since: datetime | None, sla: SlaSettings, now: datetime) -> SlaTimer | None:
    """The time waited against the `sla:` target of the draft's priority class — the same start (published,
    else drafted) and targets as the sla KPI. None once the draft no longer waits for an agent."""
    if status not in WAITING or since is None:
        return None
    target, waited = sla.target(priority), (now - since).total_seconds()
    left = target.total_seconds() - waited
    target_words = duration_words(target.total_seconds())
    title = (f"waiting {duration_words(waited)}; the target for {sla.priority_class(priority)} priority is "
             f"{target_words}")
    if left < 0:
        return SlaTimer(f"{duration_words(waited)} of {target_words}", "breached", title + ": past the target")
    state = "due-soon" if left < DUE_SOON * target.total_seconds() else "on-time"
    return SlaTimer(f"{duration_words(left)} left", state, title)


def is_overdue(status: str, priority: int, since: datetime | None, sla: SlaSettings, now: datetime) -> bool:
    timer = sla_timer(status, priority, since, sla, now)
    return timer is not None and timer.state == "breached"


# Services whose name a source's name spells (any separator): feeds from Google Alerts, Hacker News and Mastodon
# were all labelled "feed". A name matching none is itself the label (it is what the operator called the source).
_SERVICES = (
    (("google", "alerts"), "Google Alerts"), (("googlealerts",), "Google Alerts"), (("hn",), "Hacker News"),
    (("hnrss",), "Hacker News"), (("hacker", "news"), "Hacker News"), (("hackernews",), "Hacker News"),
    (("mastodon",), "Mastodon"), (("bluesky",), "Bluesky"), (("trustpilot",), "Trustpilot"),
    (("youtube",), "YouTube"), (("twitter",), "X"),
)
_TYPE_LABELS = {"reddit": "Reddit", "appstore": "App Store", "googleplay": "Google Play", "heureka": "Heureka"}


@lru_cache(maxsize=1024)  # a queue page asks for each row's label: ~3 % of its CPU before (bench/inbox.py)
def source_label(name: str | None, source_type: str | None) -> str:
    """What a person calls the source: "Google Alerts" for google-alerts-slack, "Reddit" for reddit-demo;
    a feed no service name matches keeps its configured name (touchnokia-ru). A survey answer has no source."""
    if not name:
        return _TYPE_LABELS.get(source_type or "", source_type or "survey")
    words = re.split(r"[^a-z0-9]+", name.lower())
    for service_words, label in _SERVICES:
        if any(tuple(words[i:i + len(service_words)]) == service_words for i in range(len(words))):
            return label
    return _TYPE_LABELS.get(source_type or "", name)


# connectors/*: the keys of FetchedMention.extra, as a person reads them
_FIELD_LABELS = {
    "app_version": "App version", "android_version": "Android version", "device": "Device",
    "reviewer_language": "Reviewer's language", "thumbs_up": "Found helpful by", "developer_reply": "Developer's reply",
    "developer_reply_state": "Developer's reply state", "territory": "Store country", "helpful_votes": "Helpful votes",
    "votes": "Votes", "author_url": "Author's page", "pros": "Pros", "cons": "Cons", "ratings": "Ratings",
    "order_id": "Order", "shop_reaction": "Shop's reply", "product": "Product", "product_url": "Product page",
    "subreddit": "Subreddit", "score": "Reddit score", "num_comments": "Comments", "link_url": "Linked page",
    "link_id": "Thread",
}


@dataclass(frozen=True)
class MetadataField:
    label: str
    text: str = ""  # one line of text
    lines: tuple[str, ...] = ()  # a list (pros, cons, ratings)
    link: str | None = None  # a checked http(s) URL; `text` is then the URL as shown


def _words(key: str) -> str:
    return _FIELD_LABELS.get(key) or key.replace("_", " ").strip().capitalize() or "?"


def _value_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def metadata_fields(extra: dict | None) -> list[MetadataField]:
    """A mention's `extra` as labelled fields: lists one item a line, Heureka's sub-ratings as "Delivery time: 5★",
    URLs as links only when they are http(s) (the values come from the internet: text, never markup). Printed
    whole, a review's metadata read as a Python dict ("{'pros': ['Rychlé dodání'], 'ratings': {...}}")."""
    fields = []
    for key, value in (extra or {}).items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        label = _words(str(key))
        if isinstance(value, dict):
            stars = "★" if key == "ratings" else ""
            fields.append(MetadataField(label, lines=tuple(f"{_words(str(name))}: {_value_text(item)}{stars}"
                                                           for name, item in value.items())))
        elif isinstance(value, (list, tuple)):
            fields.append(MetadataField(label, lines=tuple(_value_text(item) for item in value)))
        elif str(key).endswith("_url"):
            fields.append(MetadataField(label, text=str(value), link=safe_url(value)))
        else:
            fields.append(MetadataField(label, text=_value_text(value)))
    return fields


def sla_settings(config) -> SlaSettings:
    """The `sla:` block of careloop.yaml; its defaults for an inbox started without one."""
    return config.sla if config is not None else SlaSettings()
