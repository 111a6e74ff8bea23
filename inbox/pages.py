"""Pages: the queue (opening on the agent's languages and brands), one mention (opening it claims it: inbox/claims.py),
reports for marketing, the user list, the corrections export."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from careloop.permissions import can
from drafting.decisions import ALLOWED_FROM, audit_log, export_corrections
from sentiment.scores import LABELS
from store.db import session_scope
from store.models import User, utcnow

from .auth import HOME
from .claims import claim_on_open, claimed_rows, mine_by_default
from .conversation import deliveries, exchange
from .display import priority_parts, sla_settings, sla_timer
from .history import customer_history
from .navigation import item_href, item_links
from .notes import notes_of
from .profiles import signature_preview
from .queries import (COUNT_CAP, QueueFilters, filter_choices, mention_draft, queue_page, report_counts, status_counts,
                      thread_parents, topic_names, visible_mention)
from .saved_replies import saved_replies
from .security import local_path
from .web import OptionalRowId, RowId, allowed_decisions, current_user, database, render, require

router = APIRouter()


def _with_lists(choices: dict[str, list[str]], filters: QueueFilters) -> dict[str, list[str]]:
    """A comma-separated filter (the agent's languages "cs,sk") is offered in its menu, so the form keeps it."""
    for name, value in filters.as_params().items():
        if "," in value and name in choices:
            choices[name] = [value, *choices[name]]
    return choices


def page_number(request: Request) -> int:
    try:
        return max(1, min(int(request.query_params.get("page", 1)), 10_000))
    except ValueError:
        return 1


@router.get("/")
async def queue(request: Request, user: User = Depends(current_user), session: Session = Depends(database)):
    # Not a 403: "/" is where everyone lands (a bookmark, the logo), so who may not see the queue goes to their home.
    if not can(user, "view queue"):
        return RedirectResponse(HOME.get(user.role, "/reports"), status_code=303)
    if not request.url.query and (mine := mine_by_default(user)):  # opens on the agent's languages and brands
        return RedirectResponse("/?" + urlencode(mine), status_code=303)
    filters = QueueFilters.from_query(request.query_params)
    page = page_number(request)
    rows, more = queue_page(session, filters, page, user)
    # how each approved reply leaves: by hand ("to post by hand", with copy and mark-as-sent) or by the publisher
    delivery = deliveries(session, [row.id for row in rows]) if filters.status in ("approved", "sent") else {}
    params = filters.as_params()
    here = "/" + (f"?{urlencode({**params, 'page': page})}" if params or page > 1 else "")
    others = {name: value for name, value in params.items() if name != "status"}
    return render(request, "queue.html", user, rows=rows, filters=filters, page=page, more=more, here=here,
                  delivery=delivery, approvable=ALLOWED_FROM["approve"],
                  item_href=lambda row: item_href(row, here), claimed=claimed_rows(session, rows),
                  counts=status_counts(session, user), count_cap=COUNT_CAP,
                  choices=_with_lists(filter_choices(session, request.app.state.config, user), filters),
                  status_link=lambda status: "/?" + urlencode({**others, "status": status}),
                  page_link=lambda number: "/?" + urlencode({**params, "page": number}), **row_display(request))


def row_display(request: Request) -> dict:
    """How a queue row (or a search result) shows its wait: `timer(row)` against the `sla:` target of its priority
    class (the same targets the sla KPI counts against) and `priority(row)` in words."""
    sla, now = sla_settings(request.app.state.config), utcnow()

    def timer(row):
        return sla_timer(row.status, row.priority, row.published_at or row.created_at, sla, now)

    def priority(row) -> list[str]:
        return priority_parts(row.priority, sla, row.sentiment_label, row.rating, row.published_at or row.created_at, now)

    return {"timer": timer, "priority": priority}


@router.get("/mentions/{mention_id}")
async def mention_page(request: Request, mention_id: RowId, next: str = "/", draft: OptionalRowId = None,
                       user: User = Depends(require("view queue")), session: Session = Depends(database)):
    holder = await claim_on_open(session, user, mention_id)
    return render_mention(request, session, user, mention_id, next, draft, holder=holder)


def render_mention(request: Request, session: Session, user: User, mention_id: int, next: str, draft_id: int | None,
                   *, edited_text: str | None = None, status_code: int = 200, holder=None):
    """The mention with its draft; `edited_text` (an agent's edit that could not be approved) fills the editor
    instead of the draft, so a refused edit is never lost. `holder`: who else is on it (inbox/claims.py)."""
    mention = visible_mention(session, user, mention_id)
    draft, outbox = mention_draft(session, mention_id, draft_id)
    # The buttons shown are the decisions drafting allows from the draft's status that the user may take, so page
    # and POST never disagree.
    allowed = allowed_decisions(user, draft)
    if outbox is None or outbox.status != "manual":
        allowed.discard("mark as sent")
    language = (draft.language if draft else None) or mention.language or ""
    config = request.app.state.config
    conversation = exchange(session, mention, config.replies if config is not None else None)
    sla, now, since = sla_settings(config), utcnow(), mention.published_at or (draft and draft.created_at)
    return render(request, "mention.html", user, status_code=status_code, mention=mention, draft=draft, outbox=outbox,
                  priority=draft and priority_parts(draft.priority, sla, mention.sentiment_label, mention.rating, since, now),
                  timer=draft and sla_timer(draft.status, draft.priority, since, sla, now),
                  allowed=allowed, parents=[] if conversation else thread_parents(session, mention),
                  conversation=conversation, events=audit_log(session, mention_id),
                  labels=LABELS, next=local_path(next), edited_text=edited_text,
                  topics=topic_names(request.app.state.config), holder=holder, notes=notes_of(session, mention_id),
                  signature=signature_preview(session, user, mention, draft, request.app.state.config),
                  saved_language=language, saved_replies=saved_replies(session, language) if "approve" in allowed else [],
                  history=customer_history(session, mention, user),
                  **item_links(session, local_path(next), draft, user))


@router.get("/reports")
def reports(request: Request, user: User = Depends(require("view reports")), session: Session = Depends(database)):
    return render(request, "reports.html", user, counts=report_counts(session, user))


@router.get("/admin/users")
async def users(request: Request, user: User = Depends(require("manage users")), session: Session = Depends(database)):
    return render(request, "users.html", user, users=session.scalars(select(User).order_by(User.name)).all())


@router.get("/export/corrections.jsonl")
def corrections(request: Request, user: User = Depends(require("export"))):
    engine = request.app.state.engine

    def lines():
        # Its own session: the response streams after the request's session is closed.
        with session_scope(engine) as session:
            for row in export_corrections(session):
                yield json.dumps(row, ensure_ascii=False) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson",
                             headers={"content-disposition": 'attachment; filename="corrections.jsonl"'})
