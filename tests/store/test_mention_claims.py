"""Claims on mentions ("Jana is on it"): two agents opening the same item at once get one claim between them, a
claim expires, taking over is recorded, and decisions respect claims. On SQLite and PostgreSQL."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from drafting.decisions import DecisionError, approve, reject
from inbox.users import add_user
from store.db import session_scope
from store.mention_claims import claim, holder, take_over
from store.models import Draft, DraftEvent, MentionClaim, User, utcnow
from tests.drafting.helpers import add_mention

PASSWORD = "correct horse battery"


@pytest.fixture
def item(engine):
    """A pending draft on a mention, and agents jana and petr."""
    with session_scope(engine) as session:
        for name, shown in (("jana", "Jana"), ("petr", None)):
            add_user(session, name, "agent", PASSWORD, display_name=shown)
        mention = add_mention(session, "My G42 restarts", sentiment="negative")
        draft = Draft(mention_id=mention.id, status="pending", text="Sorry to hear that.", language="en", priority=50)
        session.add(draft)
        session.flush()
        return mention.id, draft.id


def _user(session, name: str) -> User:
    return session.scalar(select(User).where(User.name == name))


def test_two_agents_opening_the_same_item_at_once_get_one_claim(engine, item):
    mention_id, _ = item
    start, outcomes = threading.Barrier(2), {}

    def open_page(name: str):
        with session_scope(engine) as session:
            user = _user(session, name)
            start.wait()
            found = claim(session, mention_id, user)
            outcomes[name] = found.name if found else "mine"

    threads = [threading.Thread(target=open_page, args=(name,)) for name in ("jana", "petr")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes.values()) in (["jana", "mine"], ["mine", "petr"]), outcomes  # one holds, the other sees them
    winner = next(name for name, outcome in outcomes.items() if outcome == "mine")
    with session_scope(engine) as session:
        assert holder(session, mention_id).name == winner
        assert claim(session, mention_id, _user(session, winner)) is None  # renewing is idempotent
        assert session.query(MentionClaim).count() == 1


def test_an_expired_claim_is_anyones_and_the_shown_name_falls_back_to_the_login(engine, item):
    mention_id, _ = item
    with session_scope(engine) as session:
        assert claim(session, mention_id, _user(session, "petr")) is None
    with session_scope(engine) as session:
        seen = claim(session, mention_id, _user(session, "jana"))
        assert (seen.name, seen.shown_name) == ("petr", "petr")  # no display name: the login name
        session.execute(update(MentionClaim).values(expires_at=utcnow() - timedelta(seconds=1)))
    with session_scope(engine) as session:
        assert holder(session, mention_id) is None
        assert claim(session, mention_id, _user(session, "jana")) is None
        assert holder(session, mention_id).shown_name == "Jana"


def test_decisions_wait_for_a_take_over_which_is_recorded_and_the_holders_decision_releases(engine, item):
    mention_id, draft_id = item
    with session_scope(engine) as session:
        claim(session, mention_id, _user(session, "jana"))
    for decide in (lambda session: approve(session, draft_id, "petr"),
                   lambda session: reject(session, draft_id, "petr", "off topic")):
        with pytest.raises(DecisionError, match="Jana is on it: take it over"), session_scope(engine) as session:
            decide(session)
    with session_scope(engine) as session:
        assert not take_over(session, mention_id, _user(session, "petr"), "someone-else")  # not the holder petr saw
        assert take_over(session, mention_id, _user(session, "petr"), "jana")
    with session_scope(engine) as session:
        assert holder(session, mention_id).name == "petr"
        event = session.scalar(select(DraftEvent).where(DraftEvent.action == "taken_over"))
        assert (event.actor, event.note) == ("petr", "took over from Jana")
        with pytest.raises(DecisionError, match="petr is on it"):
            approve(session, draft_id, "jana")
    with session_scope(engine) as session:
        assert approve(session, draft_id, "petr").status == "approved"
        assert holder(session, mention_id) is None  # decided: released
