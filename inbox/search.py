"""The search page: drafts whose mention (title, text) or whose own text has every word an agent typed, in the
queue's row layout and with the queue's filters (status: any unless chosen), newest mention first, paged.
The words are matched by store/search.py (SQLite FTS5 or PostgreSQL full text, diacritics-insensitive)."""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from drafting.decisions import ALLOWED_FROM
from store.models import DRAFT_STATUSES, Contact, Draft, Mention, Source, SurveyAnswer, User
from store.search import SearchError, matching, search_words

from .claims import claimed_rows
from .conversation import deliveries
from .navigation import item_href
from .pages import page_number, row_display
from .queries import PAGE_SIZE, ROW_COLUMNS, QueueFilters, as_rows, filter_choices, filtered
from .web import database, render, require

router = APIRouter()

# Drafts with their mention. A draft that answers a mention answers no survey: the survey joins only give the
# shared row columns their (empty) values.
_RESULTS = (
    select(*ROW_COLUMNS).select_from(Mention)
    .join(Draft, Draft.mention_id == Mention.id)
    .outerjoin(Source, Source.id == Mention.source_id)
    .outerjoin(SurveyAnswer, SurveyAnswer.id == Draft.survey_answer_id)
    .outerjoin(Contact, Contact.id == SurveyAnswer.contact_id)
)


def search_page(session: Session, words: list[str], filters: QueueFilters, page: int,
                user: User | None = None) -> tuple[list, bool]:
    """One page of matching drafts that `user` may see, newest mention first (no count of all matches: the index
    stops after the page), and whether more follow."""
    query = filtered(_RESULTS, filters, user)
    if filters.status:
        query = query.where(Draft.status == filters.status)
    # ordered by the mention alone: a second key (draft id) made SQLite sort every match before the LIMIT
    query = matching(query, words, session.get_bind().dialect.name)
    return as_rows(session.execute(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all())


@router.get("/search")
async def search(request: Request, user: User = Depends(require("view queue")), session: Session = Depends(database)):
    typed = (request.query_params.get("q") or "").strip()
    status = request.query_params.get("status") or ""
    filters = replace(QueueFilters.from_query(request.query_params), status=status if status in DRAFT_STATUSES else "")
    page = page_number(request)
    params = {"q": typed, **{name: value for name, value in filters.as_params().items() if value}}  # "" is any
    here = "/search?" + urlencode({**params, **({"page": page} if page > 1 else {})})
    rows, more, problem, status_code = [], False, None, 200
    try:
        words = search_words(typed)
    except SearchError as error:
        words, problem, status_code = [], str(error), 400
    if words:
        rows, more = search_page(session, words, filters, page, user)
    decided = [row.id for row in rows if row.status in ("approved", "sent")]  # how they leave, as in the queue
    return render(request, "search.html", user, status_code=status_code, typed=typed, words=words, problem=problem,
                  rows=rows, filters=filters, page=page, more=more, here=here,
                  approvable=ALLOWED_FROM["approve"], item_href=lambda row: item_href(row, here),
                  delivery=deliveries(session, decided), claimed=claimed_rows(session, rows), status_any=True,
                  choices=filter_choices(session, request.app.state.config, user),
                  page_link=lambda number: "/search?" + urlencode({**params, "page": number}), **row_display(request))
