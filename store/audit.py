"""The audit catalogue: every name an audit row's `action` may hold, one line each on what it records.

Three audit tables keep who did what and when: draft_events (a reply or follow-up and its mention), issue_events
(a known issue and its notice campaigns), survey_answer_events (an answer's score). Writers name their action from
here, reports and stats count by these names, and the models refuse a row whose action is not listed
(store/models `validates`), so a misspelt name fails where it is written instead of vanishing from a count.
Values are the strings stored since the first migration: never rename one, add new ones.
"""
from __future__ import annotations

from enum import StrEnum


class _Catalogue(StrEnum):
    description: str

    def __new__(cls, value: str, description: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member


class DraftAction(_Catalogue):
    """draft_events.action"""

    DRAFTED = "drafted", "careloop drafted a reply (or found none needed), or opened a survey follow-up"
    EDITED = "edited", "an agent changed the draft's text"
    APPROVED = "approved", "an agent approved the draft: it waits in the outbox (or for posting by hand)"
    APPROVAL_UNDONE = "approval_undone", "the approving agent undid it within the undo window: nothing was sent"
    NO_REPLY_NEEDED = "no_reply_needed", "an agent decided the mention needs no reply, with the reason"
    REJECTED = "rejected", "an agent rejected the draft, with the reason"
    ESCALATED = "escalated", "an agent passed the mention to another team"
    SENT = "sent", "the reply left: posted by the publisher, or marked as posted by hand"
    FAILED = "failed", "the publisher gave up on the reply (a permanent error, or out of attempts)"
    RETRIED = "retried", "an agent queued a failed reply for another attempt"
    SENTIMENT_CORRECTED = "sentiment_corrected", "an agent corrected the mention's sentiment"
    TOPIC_CORRECTED = "topic_corrected", "an agent corrected the mention's topic (the draft follows)"
    RELEVANCE_MARKED = "relevance_marked", "an agent marked the mention about us or not (the draft follows)"
    TAKEN_OVER = "taken_over", "an agent took over a mention another agent had claimed"
    REDRAFTED = "redrafted", "the review was edited before anyone decided: careloop drafted it again"
    REVIEW_CHANGED = "review_changed", "the review was edited after an agent edited the draft: flagged for them"
    REVIEW_EDITED = "review_edited", "the review was edited after our answer: a follow-up is drafted"


class IssueAction(_Catalogue):
    """issue_events.action"""

    OPENED = "opened", "a known issue was opened (by a manager, careloop.yaml, or an accepted possible issue)"
    UPDATED = "updated", "the issue's title, keywords, products, note or link changed"
    STATUS_CHANGED = "status_changed", "the issue moved to another status (not resolved)"
    RESOLVED = "resolved", "the issue was resolved"
    CAMPAIGN_CREATED = "campaign_created", "a status change created a notice campaign, waiting for approval"
    CAMPAIGN_APPROVED = "campaign_approved", "a manager approved the notice campaign: it is sent"
    CAMPAIGN_DISMISSED = "campaign_dismissed", "a manager dismissed the notice campaign: nothing is sent"
    TEST_SENT = "test_sent", "a manager sent the campaign's notice to their own address"


class SurveyAction(_Catalogue):
    """survey_answer_events.action"""

    ANSWERED = "answered", "a customer answered the survey with one click"
    CHANGED = "changed", "the customer clicked another score (the last one wins)"
    COMMENTED = "commented", "the customer added a comment to the answer"
    SCANNER_BURST = "scanner_burst", "several scores within surveys.burst_seconds: a mail scanner; clicks discarded"


CATALOGUES: dict[str, type[_Catalogue]] = {"draft_events": DraftAction, "issue_events": IssueAction,
                                           "survey_answer_events": SurveyAction}


def checked(table: str, action: str) -> str:
    """`action` if the catalogue of `table` lists it; else a ValueError naming the table, the name and the list."""
    catalogue = CATALOGUES[table]
    if action not in catalogue._value2member_map_:
        raise ValueError(f"{table}.action {action!r} is not in the audit catalogue (store/audit.py {catalogue.__name__}): "
                         f"expected one of {sorted(catalogue._value2member_map_)}")
    return action
