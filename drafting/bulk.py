"""One decision on many drafts at once (the inbox's bulk actions): "no reply needed" with a reason, reject, escalate.

Each draft goes through the same decision function as a single one (its conditional UPDATE and its own audit row),
so a bulk action is exactly N single decisions. A draft that is no longer in the status the agent saw when choosing
it (another agent decided it meanwhile) is skipped and reported, never decided twice. The caller owns the
transaction, as for single decisions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import DRAFT_STATUSES, Draft

from . import decisions

MAX_DRAFTS = 500  # ten queue pages; more at once is a mistake more often than a wish
# decision name → (what it does, in the summary; the decision, called as fn(session, draft_id, actor, **arguments);
# its check of the arguments alone, called as check(**arguments), which the decision itself runs first)
BULK_DECISIONS: dict[str, tuple[str, Callable, Callable]] = {
    "no_reply": ("marked no reply needed", decisions.no_reply, decisions.no_reply_reason),
    "reject": ("rejected", decisions.reject, decisions.check_reject),
    "escalate": ("escalated", decisions.escalate, decisions.check_escalate),
}


@dataclass
class BulkOutcome:
    decision: str
    done: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # draft id → why

    def summary(self) -> str:
        """E.g. "18 marked no reply needed, 2 skipped: already decided (#12, #15)"."""
        text = f"{len(self.done)} {BULK_DECISIONS[self.decision][0]}"
        by_reason: dict[str, list[int]] = {}
        for draft_id, why in self.skipped.items():
            by_reason.setdefault(why, []).append(draft_id)
        parts = [f"{len(ids)} skipped: {why} ({', '.join(f'#{i}' for i in sorted(ids))})" for why, ids in by_reason.items()]
        return ", ".join([text, *parts])


def decide_many(session: Session, draft_ids: list[int], actor: str, decision: str, seen_status: str, *,
                dry_run: bool = False, **arguments) -> BulkOutcome:
    """Apply `decision` (a BULK_DECISIONS key) to every draft in `draft_ids` that is still in `seen_status`.
    Bad input for the decision itself (no reason, no team) raises DecisionInputError before anything changes.
    `dry_run`: change nothing, say what would be done and skipped (the inbox's confirmation step)."""
    if decision not in BULK_DECISIONS:
        raise decisions.DecisionInputError(f"unknown bulk action {decision!r}; expected one of {list(BULK_DECISIONS)}")
    if seen_status not in DRAFT_STATUSES:
        raise decisions.DecisionInputError(f"unknown draft status {seen_status!r}; expected one of {list(DRAFT_STATUSES)}")
    ids = list(dict.fromkeys(draft_ids))  # once each, in the order chosen
    if not ids:
        raise decisions.DecisionInputError("no drafts selected: tick the ones to change first")
    if len(ids) > MAX_DRAFTS:
        raise decisions.DecisionInputError(f"{len(ids)} drafts selected; at most {MAX_DRAFTS} at once")
    _, decide, check = BULK_DECISIONS[decision]
    check(**arguments)
    outcome = BulkOutcome(decision)
    statuses = dict(session.execute(select(Draft.id, Draft.status).where(Draft.id.in_(ids))).all())
    for draft_id in ids:
        status = statuses.get(draft_id)
        if status is None:
            outcome.skipped[draft_id] = "no longer exists"
            continue
        if status != seen_status:
            outcome.skipped[draft_id] = "already decided" if seen_status == "pending" else f"now {status.replace('_', ' ')}"
            continue
        if dry_run:
            outcome.done.append(draft_id)
            continue
        try:
            decide(session, draft_id, actor, **arguments)
        except decisions.DecisionInputError:
            raise
        except decisions.DecisionError as error:  # the decision is not possible from this status, or lost a race
            outcome.skipped[draft_id] = "changed meanwhile" if "meanwhile" in str(error) else str(error)
            continue
        outcome.done.append(draft_id)
    return outcome
