"""The few reads the inbox pages need, each one query (no N+1): the queue page, a mention with its thread,
filter choices and the marketing counts."""
from __future__ import annotations

from dataclasses import dataclass, fields
from types import SimpleNamespace
from typing import Callable

from fastapi import HTTPException
from sqlalchemy import Select, bindparam, func, literal, select, union_all
from sqlalchemy.orm import Session

from careloop.config import Config
from careloop.understanding_config import DEFAULT_TOPIC_NAMES
from sentiment.scores import LABELS
from store.access import brand_limit, may_see, only_visible
from store.models import DRAFT_STATUSES, MANUAL, Contact, Draft, Mention, OutboxMessage, Source, SurveyAnswer, User

PAGE_SIZE = 50
SNIPPET = 240  # characters of mention and draft text shown per queue row
THREAD_DEPTH = 5  # parents shown above a mention


@dataclass(frozen=True)
class QueueFilters:
    status: str = "pending"
    brand: str = ""
    source_type: str = ""
    language: str = ""
    sentiment: str = ""
    topic: str = ""
    relevance: str = ""  # not_about: what careloop or an agent marked "not about us"

    @classmethod
    def from_query(cls, params) -> QueueFilters:
        values = {field.name: (params.get(field.name) or "").strip() for field in fields(cls)}
        if values["status"] not in DRAFT_STATUSES:
            values["status"] = "pending"
        return cls(**values)

    def as_params(self) -> dict[str, str]:
        """Only what differs from the default, for links that keep the filters."""
        return {field.name: getattr(self, field.name) for field in fields(self)
                if getattr(self, field.name) != field.default}


# What a queue row shows, for the queue and for search results (inbox/search.py): one row layout.
ROW_COLUMNS = (
    Draft.id, Draft.kind, Draft.status, Draft.priority, Draft.reason, Draft.escalated_to, Draft.created_at,
    Draft.check_failures, Draft.review_changed_at, func.substr(Draft.text, 1, SNIPPET).label("draft_text"),
    Mention.id.label("mention_id"), Mention.brand, Mention.source_type, Source.name.label("source_name"),
    Mention.language, Mention.rating,
    Mention.sentiment_label, Mention.author, Mention.title, Mention.published_at, Mention.topic, Mention.relevance,
    Mention.conversation_id,
    func.substr(Mention.text, 1, SNIPPET).label("mention_text"),
    # a survey follow-up answers a survey answer, not a mention
    Draft.survey_answer_id, Draft.language.label("draft_language"), SurveyAnswer.kind.label("answer_kind"), SurveyAnswer.score.label("answer_score"),
    func.substr(SurveyAnswer.comment, 1, SNIPPET).label("answer_comment"), Contact.name.label("contact_name"),
)

# Built once: constructing this select took longer than running it (0.7 ms vs 0.3 ms per queue page).
_QUEUE_PAGE = (
    select(*ROW_COLUMNS)
    .outerjoin(Mention, Mention.id == Draft.mention_id)
    .outerjoin(Source, Source.id == Mention.source_id)
    .outerjoin(SurveyAnswer, SurveyAnswer.id == Draft.survey_answer_id)
    .outerjoin(Contact, Contact.id == SurveyAnswer.contact_id)
    .where(Draft.status == bindparam("status"))
    .order_by(Draft.priority.desc(), Draft.id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


def filtered(query, filters: QueueFilters, user: User | None):
    """`query` narrowed to what `user` may see (store/access.py) and to the queue filters' brand, source, language,
    sentiment, topic and relevance; a filter value may list several, comma-separated ("cs,sk": an agent's languages)."""
    query = only_visible(query, user)
    for column, value in ((Mention.brand, filters.brand), (Mention.source_type, filters.source_type),
                          (Mention.language, filters.language), (Mention.sentiment_label, filters.sentiment),
                          (Mention.topic, filters.topic), (Mention.relevance, filters.relevance)):
        if "," in value:
            query = query.where(column.in_([part.strip() for part in value.split(",") if part.strip()]))
        elif value:
            query = query.where(column == value)
    return query


def queue_page(session: Session, filters: QueueFilters, page: int, user: User | None = None) -> tuple[list, bool]:
    """One page of drafts in `filters.status`, highest priority first, then oldest; and whether more follow.
    Walks ix_drafts_queue; fetches one extra row instead of counting all matches. Only what `user` may see."""
    query = filtered(_QUEUE_PAGE, filters, user)
    rows = session.execute(query, {"status": filters.status, "limit": PAGE_SIZE + 1,
                                   "offset": (page - 1) * PAGE_SIZE}).all()
    return as_rows(rows)


def as_rows(rows) -> tuple[list, bool]:
    """A page of PAGE_SIZE + 1 fetched rows as (PAGE_SIZE rows, whether more follow)."""
    # Plain objects for the template: Jinja reads a Row's attributes through a slow fallback (~10 % of the page)
    return [SimpleNamespace(**row._asdict()) for row in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE


OPEN_STATUSES = ("pending", "escalated", "approved", "failed")  # what still needs someone: counted in the navigation
COUNT_CAP = 1000  # counted up to this many, then shown as "1000+"


def _status_counts(mine: Callable[[Select], Select] = lambda query: query) -> Select:
    """One round trip: for each open status, and MANUAL (approved replies no API posts, for an agent to post by
    hand), a count that stops past COUNT_CAP; `mine` narrows each part (through the draft) to a user's brands."""
    def capped(label: str, rows: Select) -> Select:
        return select(literal(label).label("status"), func.count()).select_from(mine(rows).limit(COUNT_CAP + 1).subquery())

    manual = select(OutboxMessage.id).join(Draft, Draft.id == OutboxMessage.draft_id).where(OutboxMessage.status == MANUAL)
    return union_all(*(capped(status, select(Draft.id).where(Draft.status == status)) for status in OPEN_STATUSES),
                     capped(MANUAL, manual))


# Built once, like _QUEUE_PAGE: building and compiling the union took 20 ms on a loaded machine, running it 0.3 ms.
_ALL_STATUS_COUNTS = _status_counts()


def status_counts(session: Session, user: User | None = None) -> dict[str, int]:
    """{status: drafts} for OPEN_STATUSES and MANUAL, each up to COUNT_CAP + 1. Capped because counting is linear:
    at 100,000 drafts a grouped count of every status took 62–79 ms (sent, rejected and no-reply-needed only ever
    grow), a capped count of the open ones 0.3 ms (index-only, at most COUNT_CAP + 1 entries each). A user an admin
    restricted to some brands (store/access.py) gets theirs, joined through the mentions: that costs a row lookup
    per other brand's open draft (0.3 s past 8,000 of them on a loaded 2-core machine), as their queue page does."""
    if brand_limit(user) is None:
        query = _ALL_STATUS_COUNTS
    else:
        query = _status_counts(lambda rows: only_visible(rows.join(Mention, Mention.id == Draft.mention_id), user))
    return {status: count for status, count in session.execute(query)}


_ITEM = (select(Draft.id, Draft.kind, Draft.mention_id, Draft.survey_answer_id)
         .outerjoin(Mention, Mention.id == Draft.mention_id).where(Draft.status == bindparam("status")))


def queue_neighbour(session: Session, filters: QueueFilters, priority: int, draft_id: int, *, after: bool = True,
                    user: User | None = None):
    """The item just after (or before) the draft at (`priority`, `draft_id`) in queue_page's order under `filters`
    and what `user` may see — whether or not that draft is still in the filter (it left it when it was decided) —,
    or None at the end. Two index range reads (same priority, then the next priorities), not a walk from the top."""
    same = filtered(_ITEM, filters, user).where(Draft.priority == priority,
                                           Draft.id > draft_id if after else Draft.id < draft_id)
    beyond = filtered(_ITEM, filters, user).where(Draft.priority < priority if after else Draft.priority > priority)
    if after:
        queries = (same.order_by(Draft.id), beyond.order_by(Draft.priority.desc(), Draft.id))
    else:
        queries = (same.order_by(Draft.id.desc()), beyond.order_by(Draft.priority, Draft.id.desc()))
    for query in queries:
        row = session.execute(query.limit(1), {"status": filters.status}).first()
        if row is not None:
            return row
    return None


def topic_names(config: Config | None) -> list[str]:
    return config.topics.names if config is not None else list(DEFAULT_TOPIC_NAMES)


def filter_choices(session: Session, config: Config | None, user: User | None = None) -> dict[str, list[str]]:
    """What the filter menus offer: the configured brands (those `user` may see) and languages, the source types
    in use."""
    brands, languages = known_brands_and_languages(session, config)
    limit = brand_limit(user)
    if limit is not None:
        brands = [brand for brand in brands if brand in limit]
    source_types = list(session.scalars(select(Source.type).distinct().order_by(Source.type)))
    return {"brand": brands, "source_type": source_types, "language": languages,
            "sentiment": list(LABELS), "status": list(DRAFT_STATUSES), "topic": topic_names(config),
            "relevance": ["about", "not_about"]}


def known_brands_and_languages(session: Session, config: Config | None) -> tuple[list[str], list[str]]:
    """The configured brands and languages; without careloop.yaml, the brands stored mentions have."""
    if config is not None:
        return [brand.name for brand in config.brands], list(config.languages)
    brands = list(session.scalars(select(Mention.brand).where(Mention.brand.is_not(None)).distinct().order_by(Mention.brand)))
    return brands, ["en", "cs", "sk", "ru"]


def visible_mention(session: Session, user: User, mention_id: int) -> Mention:
    """The mention, or 404 when it does not exist or `user` may not see its brand (store/access.py)."""
    mention = session.get(Mention, mention_id)
    if mention is None or not may_see(user, mention.brand):
        raise HTTPException(404, f"Mention #{mention_id} does not exist.")
    return mention


def thread_parents(session: Session, mention: Mention) -> list[Mention]:
    """The stored messages this one answers, oldest first (a Reddit comment's submission and parent comments)."""
    parents: list[Mention] = []
    parent_id = mention.parent_external_id
    while parent_id and len(parents) < THREAD_DEPTH:
        parent = session.scalar(select(Mention).where(Mention.source_id == mention.source_id,
                                                      Mention.external_id == parent_id))
        if parent is None or parent in parents:
            break
        parents.append(parent)
        parent_id = parent.parent_external_id
    return parents[::-1]


def mention_draft(session: Session, mention_id: int, draft_id: int | None = None) -> tuple[Draft | None, OutboxMessage | None]:
    """The mention's draft `draft_id` (a follow-up), else its reply."""
    query = (select(Draft, OutboxMessage).outerjoin(OutboxMessage, OutboxMessage.draft_id == Draft.id)
             .where(Draft.mention_id == mention_id))
    query = query.where(Draft.id == draft_id) if draft_id else query.where(Draft.kind == "reply")
    row = session.execute(query).first()
    return (row[0], row[1]) if row else (None, None)


def report_counts(session: Session, user: User | None = None) -> dict[str, list[tuple[str, int]]]:
    """Mentions (duplicates counted once) by sentiment, brand and source type; drafts by status. Only the brands
    `user` may see."""
    def count_by(column, model=Mention):
        query = select(column, func.count()).group_by(column).order_by(func.count().desc())
        if model is Mention:
            query = query.where(Mention.duplicate_of_id.is_(None))
        elif brand_limit(user) is not None:
            query = query.join(Mention, Mention.id == Draft.mention_id)
        query = only_visible(query, user)
        return [(label or "unknown", count) for label, count in session.execute(query)]

    return {"Mentions by sentiment": count_by(Mention.sentiment_label), "Mentions by brand": count_by(Mention.brand),
            "Mentions by source type": count_by(Mention.source_type), "Drafts by status": count_by(Draft.status, Draft)}
