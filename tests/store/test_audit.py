"""The audit catalogue (store/audit.py): audit rows name their action from it, and a name outside it is refused where
the row is written, instead of vanishing from every count that looks for the right name."""
import pytest
from sqlalchemy import select

from drafting.decisions import approve, reject
from drafting.pipeline import draft_mentions
from store.audit import CATALOGUES, DraftAction
from store.db import session_scope
from store.models import Draft, DraftEvent, IssueEvent, SurveyAnswerEvent
from tests.drafting.helpers import add_mention, demo_config


@pytest.mark.parametrize(("model", "name"), [(DraftEvent, "aproved"), (IssueEvent, "closed"),
                                             (SurveyAnswerEvent, "clicked")])
def test_an_audit_row_with_a_name_outside_the_catalogue_is_refused(model, name):
    with pytest.raises(ValueError, match=rf"{model.__tablename__}.action '{name}' is not in the audit catalogue"):
        model(action=name)


def test_written_actions_are_the_catalogues_and_counted_by_it(sqlite_engine, make_config):
    config = demo_config(make_config)
    with session_scope(sqlite_engine) as session:
        add_mention(session, "My Nokia G42 keeps dying", sentiment="negative", source="reddit-nokia",
                    source_type="reddit", external_id="t3_g42")
        add_mention(session, "Nokia G42 screen cracked after a week", sentiment="negative", source="reddit-nokia",
                    source_type="reddit", external_id="t3_g43")
        draft_mentions(session, config)
        first, second = session.scalars(select(Draft.id).order_by(Draft.id)).all()
        approve(session, first, "eva", "Sorry to hear that! Update to 2.1.4 fixes it.", config=config)
        reject(session, second, "eva", "a duplicate of the first")
    with session_scope(sqlite_engine) as session:
        stored = session.scalars(select(DraftEvent.action).order_by(DraftEvent.id)).all()
        count = session.scalar(select(DraftEvent.id).where(DraftEvent.action == DraftAction.APPROVED))
    assert stored == ["drafted", "drafted", "edited", "approved", "rejected"]
    assert count is not None  # the catalogue's member finds the stored string


def test_every_catalogued_name_says_what_it_records():
    for table, catalogue in CATALOGUES.items():
        for action in catalogue:
            assert action.description and action.value == str(action), (table, action)
