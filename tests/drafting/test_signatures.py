"""The approving agent signs: their signature is appended at approval (the draft carries none), posted with the
reply, and counted in the platform's length limit. On SQLite and PostgreSQL."""
import pytest
from sqlalchemy import select

from drafting.decisions import DecisionError, approve
from inbox.users import add_user
from store.db import session_scope
from store.models import Draft, OutboxMessage

from .helpers import add_mention, demo_config

PASSWORD = "correct horse battery"
REPLY = "Thanks for the review: 2.1.5 fixes the restarts."


def _play_draft(session, language: str, text: str = REPLY) -> int:
    mention = add_mention(session, "G42 restarts", source="play", source_type="googleplay", language=language, rating=1)
    draft = Draft(mention_id=mention.id, status="pending", text=text, language=language, priority=0)
    session.add(draft)
    session.flush()
    return draft.id


def test_the_approving_agents_signature_goes_out_with_the_reply(engine, make_config):
    config = demo_config(make_config)
    with session_scope(engine) as session:
        add_user(session, "jana", "agent", PASSWORD, display_name="Jana")
        add_user(session, "olga", "agent", PASSWORD)
        add_user(session, "petr", "agent", PASSWORD, display_name="Petr").signatures = {"Nokia": "Petr · Nokia Care"}
        ids = {"jana": _play_draft(session, "cs"), "olga": _play_draft(session, "en"), "petr": _play_draft(session, "en")}
    for name, draft_id in ids.items():
        with session_scope(engine) as session:
            approve(session, draft_id, name, config=config)
    expected = {"jana": "Jana z týmu Nokia",  # the language's _sign.j2 with the display name
                "olga": "olga from Nokia",  # no display name: the login name
                "petr": "Petr · Nokia Care"}  # the agent's own signature for the brand
    with session_scope(engine) as session:
        for name, draft_id in ids.items():
            draft = session.get(Draft, draft_id)
            posted = session.scalar(select(OutboxMessage.payload).where(OutboxMessage.draft_id == draft_id))["text"]
            assert draft.text == REPLY and draft.signature == expected[name]  # the draft stays as drafted
            assert posted == draft.signed_text == f"{REPLY}\n\n{expected[name]}"


@pytest.mark.parametrize("with_config", [True, False])  # the inbox may run without careloop.yaml: default limits
def test_the_platforms_length_limit_counts_the_signature(engine, make_config, with_config):
    settings = {"config": demo_config(make_config)} if with_config else {}
    signature = "Jana from Nokia"
    room = 350 - len(signature) - 2  # Google Play takes 350 characters; the signature follows an empty line
    with session_scope(engine) as session:
        add_user(session, "jana", "agent", PASSWORD, display_name="Jana")
        draft_id = _play_draft(session, "en", "x" * 340)  # fits alone, not signed
    with pytest.raises(DecisionError, match="357 characters: over the 350 allowed on googleplay with your signature "
                                            "'Jana from Nokia' \\(17 of them"), session_scope(engine) as session:
        approve(session, draft_id, "jana", **settings)
    with pytest.raises(DecisionError, match="351 characters"), session_scope(engine) as session:
        approve(session, draft_id, "jana", "y" * (room + 1), **settings)
    with session_scope(engine) as session:
        assert approve(session, draft_id, "jana", "y" * room, **settings).status == "approved"
        assert len(session.scalar(select(OutboxMessage.payload))["text"]) == 350
