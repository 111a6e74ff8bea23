"""All tables, one module per stage, on one metadata (Alembic reads `Base.metadata`)."""
from .base import Base, JSONType, UTCDateTime, utcnow
from .contacts import Contact, ContactHandle, Suppression
from .coordination import StoreLock, WorkClaim
from .listening import Mention, MentionRevision, RejectedItem, Run, Source
from .notices import (CAMPAIGN_STATUSES, ISSUE_STATUSES, POSSIBLE_ISSUE_STATUSES, IssueEvent, KnownIssueRecord, NoticeCampaign,
                      PossibleIssue)
from .people import MentionClaim, MentionNote
from .outbox import MANUAL, OUTBOX_STATUSES, SKIPPED_STATUSES, OutboxMessage
from .replies import DRAFT_STATUSES, Draft, DraftEvent, InboxSession, LoginFailure, SentimentCorrection, User, signed
from .saved_replies import SavedReply
from .reports import Alert, DayTop, Digest, DigestUnsubscribe, MentionDay, MentionTerm, ReportMark, Term, TermDay
from .sentiment import MentionEmbedding, RelevanceFit, SentimentScore, TextEmbedding
from .surveys import SurveyAnswer, SurveyAnswerEvent, SurveyClick

__all__ = [
    "Base", "JSONType", "UTCDateTime", "utcnow",
    "Mention", "MentionRevision", "RejectedItem", "Run", "Source",
    "DRAFT_STATUSES", "Draft", "DraftEvent", "InboxSession", "LoginFailure", "SentimentCorrection", "User", "signed",
    "MentionClaim", "MentionNote",
    "MANUAL", "OUTBOX_STATUSES", "SKIPPED_STATUSES", "OutboxMessage",
    "MentionEmbedding", "RelevanceFit", "SentimentScore", "TextEmbedding", "StoreLock", "WorkClaim",
    "Contact", "ContactHandle", "Suppression",
    "CAMPAIGN_STATUSES", "ISSUE_STATUSES", "IssueEvent", "KnownIssueRecord", "NoticeCampaign",
    "POSSIBLE_ISSUE_STATUSES", "PossibleIssue",
    "SurveyAnswer", "SurveyAnswerEvent", "SurveyClick", "SavedReply",
    "Alert", "DayTop", "Digest", "DigestUnsubscribe", "MentionDay", "MentionTerm", "ReportMark", "Term", "TermDay",
]
