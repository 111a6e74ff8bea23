"""Reviews edited after drafting, through the real ingest update path (a Heureka export read again) into SQLite and
PostgreSQL: an untouched pending draft is re-made from the new text; one an agent edited keeps their text and is
flagged "review changed since you edited" (queue and mention page); a review we had answered (our reply sent, or the
shop's reaction on Heureka) gets a follow-up draft for the edit, as the same conversation."""
from __future__ import annotations

import html
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select, update

from drafting import decisions
from drafting.pipeline import draft_mentions
from careloop.webapp import create_app
from inbox.users import add_user
from ingest.pipeline import ingest_source
from store.db import session_scope
from store.models import Draft, DraftEvent, Mention, utcnow
from tests.inbox.conftest import PASSWORD, LiveServer, login

from .helpers import demo_config

EXPORT = Path(__file__).resolve().parents[1] / "connectors" / "fixtures" / "heureka_eshop_reviews.xml"
UNTOUCHED, AGENT_EDITED, SENT, SHOP_ANSWERED = "141604079", "140332011", "61843903", "138008506"
EDITS = {  # summary before → after, as the customers rewrote them
    "doporučuji": "Po týdnu přestal fungovat. Kdy mi vrátíte peníze?",
    "spokojena": "Nakonec nespokojena, displej praskl sám od sebe.",
    "velká spokojenost": "Vyměnili mi ho do dvou dnů, děkuji, nakonec spokojenost.",
    "dobrý obchod s rychlým vyřízením a doručením objednávky": "Návod v češtině pořád chybí, pošlete ho prosím e-mailem.",
}


def drafts_by_review(session) -> dict[tuple[str, str], Draft]:
    rows = session.execute(select(Draft, Mention.external_id).join(Mention, Mention.id == Draft.mention_id))
    return {(external_id, draft.kind): draft for draft, external_id in rows}


def scored(session) -> None:
    """What the scoring stage does after an edit cleared the old scores (its model is tested in tests/sentiment)."""
    session.execute(update(Mention).where(Mention.sentiment_label.is_(None)).values(sentiment_label="negative"))


def test_edited_reviews_bring_their_drafts_up_to_date(engine, make_config, tmp_path):
    export = tmp_path / "export.xml"
    original = EXPORT.read_text(encoding="utf-8")
    export.write_text(original, encoding="utf-8")
    config = demo_config(make_config, languages=["cs", "sk", "en"], sources=[
        {"name": "eshop-heureka", "type": "heureka", "brand": "Nokia", "path": str(export)}])
    source = config.sources[0]
    assert ingest_source(engine, config, source).stored == 5
    with session_scope(engine) as session:
        add_user(session, "alice", "agent", PASSWORD, display_name="Alice")
        # the export's reviews are from 2019–2023: written yesterday, as far as replies.max_age_days is concerned
        session.execute(update(Mention).values(published_at=utcnow() - timedelta(days=1)))
        scored(session)
        draft_mentions(session, config)
        drafts = drafts_by_review(session)
        assert drafts[(SHOP_ANSWERED, "reply")].status == "no_reply_needed"  # the shop's reaction answers it
        assert all(drafts[(review, "reply")].status == "pending" for review in (UNTOUCHED, AGENT_EDITED, SENT))
        untouched_before = drafts[(UNTOUCHED, "reply")].text
        # alice edits and approves, then takes it back within the undo window: pending, with her text
        edited_id = drafts[(AGENT_EDITED, "reply")].id
        decisions.approve(session, edited_id, "alice", "Mrzí nás to, ozveme se vám do zítřka.", config=config,
                          undo_window=timedelta(seconds=10))
        decisions.undo_approval(session, edited_id, "alice")
        sent = drafts[(SENT, "reply")]
        decisions.approve(session, sent.id, "alice", config=config)  # Heureka has no reply API: posted by hand
        decisions.mark_sent(session, sent.id, "alice")

    edited = original
    for before, after in EDITS.items():
        edited = edited.replace(f"<summary><![CDATA[{before}]]></summary>", f"<summary><![CDATA[{after}]]></summary>")
    export.write_text(edited.replace("<total_rating>5</total_rating>", "<total_rating>1</total_rating>", 1), encoding="utf-8")
    assert ingest_source(engine, config, source).updated == 4

    with session_scope(engine) as session:
        waiting = draft_mentions(session, config)  # the edits are not scored yet: drafts wait for the new scores
        assert {"redrafted", "flagged_changed", "follow_ups_for_edits"}.isdisjoint(waiting)
        scored(session)
        counts = draft_mentions(session, config)
        assert (counts["redrafted"], counts["flagged_changed"], counts["follow_ups_for_edits"]) == (1, 1, 2)
        drafts = drafts_by_review(session)

        untouched = drafts[(UNTOUCHED, "reply")]
        assert untouched.status == "pending" and untouched.review_changed_at is None
        assert untouched.text != untouched_before and "peníze" not in untouched_before
        flagged = drafts[(AGENT_EDITED, "reply")]
        assert flagged.status == "pending" and flagged.review_changed_at is not None
        assert flagged.text == "Mrzí nás to, ozveme se vám do zítřka."  # hers, kept
        for review in (SENT, SHOP_ANSWERED):  # the edit continues a conversation we answered: a follow-up, queued
            follow_up = drafts[(review, "follow_up")]
            assert follow_up.status == "pending" and follow_up.campaign.startswith("edit:") and follow_up.text
        assert drafts[(SENT, "reply")].status == "sent"
        actions = [action for (action,) in session.execute(select(DraftEvent.action).order_by(DraftEvent.id))]
        assert actions.count("redrafted") == 1 and actions.count("review_changed") == 1
        flagged_mention = flagged.mention_id
        sent_mention, follow_up_id = drafts[(SENT, "reply")].mention_id, drafts[(SENT, "follow_up")].id
        our_reply = drafts[(SENT, "reply")].text

        again = draft_mentions(session, config)  # every edit is handled once
        assert {"redrafted", "flagged_changed", "follow_ups_for_edits"}.isdisjoint(again)

    server = LiveServer(create_app(engine, config, session_secret="revision-test-" + "r" * 32))
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert login(client, "alice").status_code == 303
            page = client.get(f"/mentions/{flagged_mention}").text
            queue = client.get("/").text
            exchange_page = client.get(f"/mentions/{sent_mention}?draft={follow_up_id}").text
    finally:
        server.close()
    assert 'id="review-changed"' in page and "Review changed since you edited" in page
    assert queue.count("review changed since you edited") == 1

    # the store review's conversation: what they wrote, our reply, what they wrote after it
    exchange = exchange_page[exchange_page.index('id="conversation"'):exchange_page.index('<article class="mention">')]
    said = ["velká spokojenost", our_reply.split("\n")[0], "Vyměnili mi ho do dvou dnů"]
    positions = [exchange.index(html.escape(text, quote=False)) for text in said]
    assert positions == sorted(positions) and exchange.count('class="said ours') == 1
    assert "their earlier wording" in exchange and 'id="draft-status">pending' in exchange_page
