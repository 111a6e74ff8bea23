"""All tables, one module per stage, on one metadata (Alembic reads `Base.metadata`)."""
from .base import Base, JSONType, UTCDateTime, utcnow
from .coordination import StoreLock, WorkClaim
from .listening import Mention, MentionRevision, Run, Source
from .replies import DRAFT_STATUSES, Draft, DraftEvent, OutboxMessage, SentimentCorrection, User
from .sentiment import SentimentScore

__all__ = [
    "Base", "JSONType", "UTCDateTime", "utcnow",
    "Mention", "MentionRevision", "Run", "Source",
    "DRAFT_STATUSES", "Draft", "DraftEvent", "OutboxMessage", "SentimentCorrection", "User",
    "SentimentScore", "StoreLock", "WorkClaim",
]
