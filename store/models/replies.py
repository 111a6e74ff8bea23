"""Tables of drafting and the inbox: drafts, their audit trail, users, sentiment corrections. The outbox is in outbox.py."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..audit import checked
from .base import Base, JSONType, UTCDateTime, utcnow
from .listening import Mention

DRAFT_STATUSES = ("pending", "approved", "rejected", "escalated", "sent", "failed", "no_reply_needed")
DRAFT_KINDS = ("reply", "follow_up", "survey_follow_up")


def signed(text: str, signature: str | None) -> str:
    """A reply as posted: the text, an empty line, the approving agent's signature (drafting/signatures.py)."""
    return f"{text}\n\n{signature}" if signature else text


class Draft(Base):
    """A public message careloop proposes for a mention: the `reply` (one per mention; a mention that needs no
    reply gets a draft row in status `no_reply_needed` with the reason, so the inbox can show why), or a
    `follow_up` in a thread we already answered (e.g. "fixed in 2.1.4" once a known issue is resolved), one per
    (mention, kind, campaign) — campaign says what it follows up ("issue:<key>"), "" for replies."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("mention_id", "kind", "campaign"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a survey_follow_up: it answers a survey answer (an e-mail to the contact), not a mention
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id"), index=True)
    survey_answer_id: Mapped[int | None] = mapped_column(ForeignKey("survey_answers.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="reply")
    campaign: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), index=True)  # one of DRAFT_STATUSES
    reason: Mapped[str | None] = mapped_column(Text)  # why no reply is needed / why rejected
    template: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str | None] = mapped_column(String(300))  # drafts sent as e-mail (survey follow-ups)
    # Quality checks that failed ("over 280 characters for reddit", "link not allowed: …"): shown, not hidden.
    check_failures: Mapped[list] = mapped_column(JSONType, default=list)
    # Offered beside the draft: "articles" (top knowledge-base matches with scores) and "answered_before" (an
    # earlier approved answer to a similar mention, adapted): understanding/knowledge.py, understanding/precedents.py.
    suggestions: Mapped[dict | None] = mapped_column(JSONType, default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher first: negative, low stars, reach, age
    escalated_to: Mapped[str | None] = mapped_column(String(100))
    assigned_to: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    external_reply_id: Mapped[str | None] = mapped_column(String(200))
    # The mention's text_hash when this draft was made: a review edited later no longer matches (drafting/revisions.py)
    answers_hash: Mapped[str | None] = mapped_column(String(64))
    # Set when the review changed after an agent had edited this draft: their text is kept, the queue flags it.
    review_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The approving agent's signature (drafting/signatures.py), appended to `text` when the reply goes out: kept apart
    # so the draft stays what was drafted or edited (precedents, undo) and the audit shows who signed.
    signature: Mapped[str] = mapped_column(Text, default="", server_default="")

    mention: Mapped[Mention | None] = relationship()

    @property
    def signed_text(self) -> str:
        return signed(self.text, self.signature)


# The queue's order (status, highest priority first, then oldest) read straight off the index: with priority
# alone SQLite sorted every priority group per page (1.2 ms → 0.3 ms per queue page at 20,000 pending drafts).
Index("ix_drafts_queue", Draft.status, Draft.priority.desc(), Draft.id)


class DraftEvent(Base):
    """Audit log: every state change of a draft, who and when, text before and after."""

    __tablename__ = "draft_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))  # user name, or "careloop" for the flows
    action: Mapped[str] = mapped_column(String(30))  # drafted, edited, approved, rejected, escalated, sent, failed …
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    text_before: Mapped[str | None] = mapped_column(Text)
    text_after: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    @validates("action")
    def _catalogued(self, key: str, action: str) -> str:  # store/audit.py: a misspelt action fails where written
        return checked(self.__tablename__, action)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))  # agent | marketing | manager | admin
    email: Mapped[str | None] = mapped_column(String(320))  # where a manager's test notice goes
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # {brand: signature}: appended to this agent's approved replies of that brand (else "<display name> from <brand>")
    signatures: Mapped[dict] = mapped_column(JSONType, default=dict, server_default="{}")
    # Routing: the queue opens filtered to these; with brands_only the user sees and acts on these brands only
    # (store/access.py), set by an admin.
    languages: Mapped[list] = mapped_column(JSONType, default=list, server_default="[]")
    brands: Mapped[list] = mapped_column(JSONType, default=list, server_default="[]")
    brands_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def shown_name(self) -> str:
        """The name others see ("Jana is on it") and the default signature's: the display name, else the login name."""
        return (self.display_name or "").strip() or self.name


class InboxSession(Base):
    """A signed-in browser: the cookie carries the token, this row only its hash. Logging out deletes the row;
    a password change or disabling the user deletes all of theirs, so an old cookie replayed later gets nothing."""

    __tablename__ = "inbox_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginFailure(Base):
    """A failed (or still running) inbox login, counted per user name and per client address to throttle password
    guessing across every worker process. Deleted on a successful login; rows older than the window are swept."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_name_at", "name", "at"), Index("ix_login_failures_client_at", "client", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))  # as typed, trimmed and lower-cased
    client: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SentimentCorrection(Base):
    """An agent's correction of a mention's sentiment: shown at once, exportable as training data."""

    __tablename__ = "sentiment_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id"), index=True)
    label: Mapped[str] = mapped_column(String(10))
    previous_label: Mapped[str | None] = mapped_column(String(10))
    corrected_by: Mapped[str] = mapped_column(String(100))
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
