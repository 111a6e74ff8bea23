"""The connector interface: fetch what is new since a cursor, normalised; optionally reply.

Connectors do pure I/O plus normalisation: no database, no Prefect. `ingest/` stores what they return.
"""
from __future__ import annotations

import functools
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, runtime_checkable

from careloop.config import option_problems
from careloop.errors import CareloopError
from careloop.strict import Strict
from careloop.logs import redact

if TYPE_CHECKING:
    from careloop.config import Brand, SourceConfig


@dataclass
class FetchedMention:
    """One item as a source delivers it, before brand matching and storage."""

    external_id: str  # stable id within the source (entry id, Reddit fullname, review id)
    text: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None  # UTC-aware
    rating: float | None = None  # stars normalised to 1–5
    parent_external_id: str | None = None  # thread parent (Reddit comment → submission/comment)
    extra: dict[str, Any] = field(default_factory=dict)  # platform fields worth showing
    raw: dict[str, Any] = field(default_factory=dict)  # the payload as received (JSON-able)


@dataclass
class FetchResult:
    mentions: list[FetchedMention]
    cursor: dict[str, Any]  # stored and handed back on the next fetch
    problems: list[str] = field(default_factory=list)  # non-fatal: malformed feed, skipped items
    not_modified: bool = False  # the source said nothing changed (HTTP 304, same file): earlier problems still stand


class ConnectorError(CareloopError):
    """A source could not be fetched (or replied to). The message names the source and says what to do.
    `retryable` as in careloop.errors: a fetch (a Prefect task retry, flows/ingest_flow.py) and a reply (the
    outbox) are tried again only when the error says the same call may succeed later."""

    retryable = False

    def __init__(self, source: str, message: str):
        message = redact(message)  # the message is logged, stored in the run log and shown in stats
        super().__init__(f"source {source!r}: {message}")
        self.source, self.message = source, message

    def __reduce__(self):
        # rebuilt from both arguments: a task in Prefect's process pool hands its error back pickled
        return type(self), (self.source, self.message)


class ConnectorAuthError(ConnectorError):
    """Credentials are missing or rejected: never retried, the same credentials are refused again (and a retried
    login can lock the account); a person fixes them."""

    retryable = False


class ConnectorUnavailable(ConnectorError):
    """The platform cannot answer now (rate limit, 5xx, timeout): the same call may succeed later."""

    retryable = True


class ConnectorNotFound(ConnectorError):
    """The thing asked for is not there (a review deleted meanwhile)."""


class Deadline:
    """The whole fetch of one source (`deadline_seconds`): every request, page, read and back-off within it. A
    read timeout alone let a feed trickling 1 byte a second hold a 3 s source for 574 s."""

    def __init__(self, source: str, seconds: float):
        self.source, self.seconds, self.ends = source, seconds, time.monotonic() + seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def check(self, what: str) -> None:
        if self.remaining() <= 0:
            raise ConnectorError(self.source, f"deadline of {self.seconds:g}s for the whole fetch reached {what}; "
                                              "the next run reads what this one could not (raise deadline_seconds?)")

    def timeout(self, per_request: float, what: str) -> float:
        """The timeout for one request: the per-request one, or less when the deadline is nearer."""
        self.check(what)
        return max(0.001, min(per_request, self.remaining()))


_deadline: ContextVar[Deadline | None] = ContextVar("careloop_fetch_deadline", default=None)


def current_deadline() -> Deadline | None:
    """The deadline of the fetch running in this context (None outside a connector's fetch)."""
    return _deadline.get()


@contextmanager
def fetch_deadline(source: str, seconds: float) -> Iterator[Deadline]:
    token = _deadline.set(Deadline(source, seconds))
    try:
        yield _deadline.get()
    finally:
        _deadline.reset(token)


def _within_deadline(fetch):
    @functools.wraps(fetch)
    def fetch_within_deadline(self, source, cursor, brands):
        with fetch_deadline(source.name, source.deadline_seconds):
            return fetch(self, source, cursor, brands)
    return fetch_within_deadline


@runtime_checkable
class Connector(Protocol):
    def fetch(self, source: SourceConfig, cursor: dict[str, Any], brands: list[Brand]) -> FetchResult: ...


class ReplyingConnector(Connector, Protocol):
    def reply(self, source: SourceConfig, mention_external_id: str, text: str) -> str:
        """Publish `text` as a reply; returns the platform's id of the reply."""

    def find_own_reply(self, source: SourceConfig, mention_external_id: str, text: str) -> str | None:
        """The id of our reply with `text` if the platform already shows it (after an interrupted send)."""

    # Optional: `can_reply(source) -> bool` (a source may be read in a mode that cannot reply, e.g. the App Store's
    # public feed). Each platform's length limit is the connector's reply_max_chars (see register), checked at approval.


class NoOptions(Strict):
    """`options:` of a source type that takes none: any key there is a typo."""


_REGISTRY: dict[str, Callable[[], Connector]] = {}


def register(type_name: str):
    """Class decorator: make a connector available as `type: <type_name>` in careloop.yaml; its `fetch` runs
    within the source's `deadline_seconds` (connectors/http.py and the Reddit session honour it). The class
    declares `Options` (a careloop.strict.Strict model of its `options:`, checked when careloop.yaml loads; none:
    NoOptions) and `reply_max_chars` (the characters a reply may have on the platform; None: it takes no replies
    from careloop, replies.default_length_limit applies)."""

    def decorate(cls):
        cls.fetch = _within_deadline(cls.fetch)  # every connector's fetch runs within its source's deadline
        cls.Options = cls.__dict__.get("Options", NoOptions)
        cls.reply_max_chars = cls.__dict__.get("reply_max_chars")
        _REGISTRY[type_name] = cls
        cls.type_name = type_name
        return cls

    return decorate


def connector_types() -> list[str]:
    _load_builtin()
    return sorted(_REGISTRY)


def source_options() -> dict[str, type[Strict]]:
    """Each source type's options model: what careloop.yaml validation receives (careloop.config)."""
    _load_builtin()
    return {name: _REGISTRY[name].Options for name in sorted(_REGISTRY)}


def options_of(source: SourceConfig) -> Any:
    """The source's `options:` as its connector's model (validated at load; again here for a config built in code)."""
    _load_builtin()
    model = _REGISTRY[source.type].Options
    problems = option_problems(model, source.options)
    if problems:
        raise ConnectorError(source.name, "; ".join(problems))
    return model.model_validate(source.options)


def reply_limit(type_name: str) -> int | None:
    """The characters a reply may have on the platform of `type_name` (None: the connector declares none)."""
    _load_builtin()
    connector = _REGISTRY.get(type_name)
    return connector.reply_max_chars if connector else None


def get_connector(type_name: str) -> Connector:
    _load_builtin()
    try:
        return _REGISTRY[type_name]()
    except KeyError:
        raise KeyError(f"unknown source type {type_name!r}; known: {', '.join(sorted(_REGISTRY))}") from None


@functools.cache
def _load_builtin() -> None:
    # Importing the modules runs their @register decorators (once: the inbox asks on every approve).
    import importlib
    import pkgutil
    from pathlib import Path

    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):  # this package's folder
        if module.name not in {"api", "base", "http"} and not module.name.startswith("_"):
            importlib.import_module(f"connectors.{module.name}")
