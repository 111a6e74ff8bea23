"""All tables, one module per stage, on one metadata (Alembic reads `Base.metadata`)."""
from .base import Base, JSONType, UTCDateTime, utcnow
from .listening import Mention, MentionRevision, Run, Source
from .replies import DRAFT_STATUSES, Draft, DraftEvent, OutboxMessage, SentimentCorrection, User
from .reports import Alert, Digest, MentionDay, MentionTerm, ReportMark, Term
from .sentiment import SentimentScore

__all__ = [
    "Base", "JSONType", "UTCDateTime", "utcnow",
    "Mention", "MentionRevision", "Run", "Source",
    "DRAFT_STATUSES", "Draft", "DraftEvent", "OutboxMessage", "SentimentCorrection", "User",
]
__all__.append("SentimentScore")
__all__ += ["Alert", "Digest", "MentionDay", "MentionTerm", "ReportMark", "Term"]
