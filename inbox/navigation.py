"""Moving through the queue from a mention's page: the previous and next item of the queue filter the agent came
from (`j`/`k`), and where a decision leads (the next item, or back to the queue: careloop.yaml inbox.after_decision).

The queue filter travels in `next` (the queue's address with its filters and page), as it always has for "back to
the queue"; the order is queue_page's (highest priority first, then oldest), read by queries.queue_neighbour.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from careloop.inbox_settings import InboxSettings
from store.models import Draft, User

from .queries import QueueFilters, queue_neighbour
from .security import local_path


def inbox_settings(request: Request) -> InboxSettings:
    config = request.app.state.config
    return config.inbox if config is not None else InboxSettings()


def item_href(row, back: str) -> str:
    """Where a queue item opens (a row with id, kind, mention_id, survey_answer_id): its survey answer, or its
    mention — with the draft named for follow-ups —, coming back to `back`."""
    query = urlencode({"next": back})
    if row.survey_answer_id:
        return f"/survey-answers/{row.survey_answer_id}?{query}"
    return f"/mentions/{row.mention_id}?{query}" + (f"&draft={row.id}" if row.kind != "reply" else "")


def queue_filters(back: str) -> QueueFilters | None:
    """The filters of a queue address ("/?status=pending&brand=Nokia&page=2"); None for any other page."""
    parts = urlsplit(local_path(back))
    return QueueFilters.from_query(dict(parse_qsl(parts.query))) if parts.path == "/" else None


def neighbour_href(session: Session, back: str, priority: int, draft_id: int, user: User | None, *,
                   after: bool = True) -> str | None:
    filters = queue_filters(back)
    row = queue_neighbour(session, filters, priority, draft_id, after=after, user=user) if filters else None
    return item_href(row, local_path(back)) if row else None


def item_links(session: Session, back: str, draft: Draft | None, user: User | None) -> dict[str, str | None]:
    """previous_item / next_item of the mention page (its `j`/`k` keys), among what `user` may see."""
    if draft is None:
        return {"previous_item": None, "next_item": None}
    return {"previous_item": neighbour_href(session, back, draft.priority, draft.id, user, after=False),
            "next_item": neighbour_href(session, back, draft.priority, draft.id, user)}


def after_decision(request: Request, session: Session, user: User, draft_id: int, back: str, advance: bool) -> str:
    """Where the agent goes once a decision on `draft_id` is committed: from a mention's page (`advance`), the next
    item in the queue filter they came from unless inbox.after_decision is "queue"; else — and at the end of the
    filter — back to the queue."""
    back = local_path(back)
    if not advance or inbox_settings(request).after_decision != "next":
        return back
    priority = session.scalar(select(Draft.priority).where(Draft.id == draft_id))
    if priority is None:
        return back
    return neighbour_href(session, back, priority, draft_id, user) or back
