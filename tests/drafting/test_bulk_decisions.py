"""An agent's "no reply needed" with a reason, and one decision on many drafts at once (the inbox's bulk actions):
one audit row per draft, drafts decided meanwhile skipped and reported, bad input refused before anything changes.
On SQLite and PostgreSQL."""
import pytest
from sqlalchemy import func, select

from drafting.bulk import decide_many
from drafting.decisions import DecisionError, DecisionInputError, approve, no_reply
from store.db import session_scope
from store.models import Draft, DraftEvent

from .helpers import add_draft, add_mention


@pytest.fixture
def press(engine) -> list[int]:
    """Five pending drafts answering press articles."""
    with session_scope(engine) as session:
        return [add_draft(session, add_mention(session, f"Nokia launches the G{n} (press release)"), priority=10 - n)
                for n in range(5)]


def test_no_reply_needed_stores_the_reason_like_drafting_does(engine, press):
    with session_scope(engine) as session:
        draft = no_reply(session, press[0], "eva", "press", "launch coverage")
        assert (draft.status, draft.reason, draft.decided_by) == ("no_reply_needed", "press or article: launch coverage", "eva")
        event = session.scalar(select(DraftEvent).where(DraftEvent.draft_id == press[0]).order_by(DraftEvent.id.desc()))
        assert (event.action, event.from_status, event.to_status, event.note) == (
            "no_reply_needed", "pending", "no_reply_needed", "press or article: launch coverage")
    with session_scope(engine) as session:
        with pytest.raises(DecisionInputError, match='"other" needs a few words'):
            no_reply(session, press[1], "eva", "other", "  ")
        with pytest.raises(DecisionInputError, match="unknown no-reply reason 'bored'"):
            no_reply(session, press[1], "eva", "bored")
        with pytest.raises(DecisionError, match="cannot mark draft #[0-9]+ as needing no reply: it is no reply needed"):
            no_reply(session, press[0], "eva", "spam")
        # still approvable afterwards, like drafting's own "no reply needed" drafts
        assert approve(session, press[0], "eva").status == "approved"


def test_a_bulk_no_reply_decides_each_draft_once_and_reports_the_ones_decided_meanwhile(engine, press):
    with session_scope(engine) as session:  # another agent was quicker with two of them
        approve(session, press[1], "jana")
        no_reply(session, press[3], "jana", "spam")
    with session_scope(engine) as session:
        preview = decide_many(session, press, "eva", "no_reply", "pending", dry_run=True, reason="press", detail="")
        assert (preview.done, sorted(preview.skipped)) == ([press[0], press[2], press[4]], [press[1], press[3]])
        assert session.scalar(select(func.count()).select_from(Draft).where(Draft.status == "pending")) == 3
    with session_scope(engine) as session:
        outcome = decide_many(session, press + [press[0]], "eva", "no_reply", "pending", reason="press", detail="")
    assert outcome.summary() == (f"3 marked no reply needed, 2 skipped: already decided (#{press[1]}, #{press[3]})")
    with session_scope(engine) as session:
        statuses = dict(session.execute(select(Draft.id, Draft.status)).all())
        assert [statuses[draft_id] for draft_id in press] == [
            "no_reply_needed", "approved", "no_reply_needed", "no_reply_needed", "no_reply_needed"]
        by_eva = session.execute(select(DraftEvent.draft_id, DraftEvent.note).where(DraftEvent.actor == "eva")).all()
        assert sorted(by_eva) == sorted((draft_id, "press or article") for draft_id in (press[0], press[2], press[4]))
    with session_scope(engine) as session:  # sent again (a double submit): nothing more happens
        again = decide_many(session, press, "eva", "no_reply", "pending", reason="press", detail="")
        assert again.done == [] and len(again.skipped) == 5
        assert session.scalar(select(func.count()).select_from(DraftEvent).where(DraftEvent.actor == "eva")) == 3


def test_bulk_reject_and_escalate_need_their_reason_and_team_before_anything_changes(engine, press):
    with session_scope(engine) as session:
        with pytest.raises(DecisionInputError, match="a reason is required to reject"):
            decide_many(session, press, "eva", "reject", "pending", reason=" ")
        with pytest.raises(DecisionInputError, match="a team is required to escalate"):
            decide_many(session, press, "eva", "escalate", "pending", team="", note="")
        with pytest.raises(DecisionInputError, match="no drafts selected"):
            decide_many(session, [], "eva", "reject", "pending", reason="spam")
        with pytest.raises(DecisionInputError, match="unknown bulk action 'approve'"):
            decide_many(session, press, "eva", "approve", "pending")
        assert session.scalar(select(func.count()).select_from(DraftEvent)) == 0
    with session_scope(engine) as session:
        assert decide_many(session, press[:2], "eva", "escalate", "pending", team="PR", note="launch").done == press[:2]
        assert decide_many(session, press[2:], "eva", "reject", "pending", reason="not for us").done == press[2:]
    with session_scope(engine) as session:
        rows = dict(session.execute(select(Draft.id, Draft.escalated_to)).all())
        assert [rows[draft_id] for draft_id in press[:2]] == ["PR", "PR"]
        assert {session.get(Draft, draft_id).status for draft_id in press[2:]} == {"rejected"}
