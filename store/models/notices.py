"""Tables of known issues and notices: the registry with its lifecycle, every change with who and when, and the
notice campaigns each change creates for a manager to approve."""
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..audit import checked
from .base import Base, JSONType, UTCDateTime, utcnow

ISSUE_STATUSES = ("investigating", "identified", "monitoring", "resolved")
CAMPAIGN_STATUSES = ("awaiting_approval", "approved", "dismissed")


class KnownIssueRecord(Base):
    """A known issue. `origin` "config" ones are upserted from careloop.yaml by key and read-only in the inbox."""

    __tablename__ = "known_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    brand: Mapped[str | None] = mapped_column(String(200))
    products: Mapped[list] = mapped_column(JSONType, default=list)
    keywords: Mapped[dict] = mapped_column(JSONType, default=dict)  # language (or "*") → word beginnings
    audience: Mapped[str | None] = mapped_column(Text)  # rule over contact attributes (careloop/rules.py)
    notes: Mapped[dict] = mapped_column(JSONType, default=dict)  # status → language → public note
    link: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)  # one of ISSUE_STATUSES
    origin: Mapped[str] = mapped_column(String(10), default="inbox")  # config | inbox | cli
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IssueEvent(Base):
    """Audit of issues and their campaigns: opened, updated, status changed, campaign approved, test sent …"""

    __tablename__ = "issue_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("known_issues.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("notice_campaigns.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    @validates("action")
    def _catalogued(self, key: str, action: str) -> str:  # store/audit.py: a misspelt action fails where written
        return checked(self.__tablename__, action)


class NoticeCampaign(Base):
    """The notice of one stage of an issue (its opening, a status change, its resolution): nothing is sent until a
    manager approves it. Its outbox rows carry campaign "notice:<id>" and key "notice:<issue>:<stage>:<contact>"."""

    __tablename__ = "notice_campaigns"
    __table_args__ = (UniqueConstraint("issue_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("known_issues.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))  # the issue status it announces
    status: Mapped[str] = mapped_column(String(20), default="awaiting_approval", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(100))
    queued: Mapped[dict] = mapped_column(JSONType, default=dict)  # status → count when it was approved

    issue: Mapped[KnownIssueRecord] = relationship()


POSSIBLE_ISSUE_STATUSES = ("proposed", "accepted", "dismissed")


class PossibleIssue(Base):
    """A burst of negative mentions about one thing that no known issue covers (notices/emerging.py), waiting for
    a manager to turn it into a known issue or dismiss it. Later runs update the same row while the burst goes on
    (matched by its centroid), so one burst is proposed once; a dismissed one stays dismissed."""

    __tablename__ = "possible_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(300))  # its most frequent words per language
    keywords: Mapped[dict] = mapped_column(JSONType, default=dict)  # language → word beginnings, for the issue
    mention_ids: Mapped[list] = mapped_column(JSONType, default=list)  # most central first
    expected: Mapped[float] = mapped_column(default=0.0)  # such mentions in a window of usual traffic
    centroid: Mapped[bytes] = mapped_column(LargeBinary)  # in the centred space it was found in
    encoder: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    issue_id: Mapped[int | None] = mapped_column(ForeignKey("known_issues.id"))  # when accepted
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
