"""Hostile text from sources: cleaned at the boundary, one bad item isolated, runs never left `running`."""
import time
import unicodedata
from datetime import timedelta

from alembic import command
from sqlalchemy import select

from careloop.stats import collect_stats
from ingest.pipeline import ingest_all, ingest_source
from ingest.runs import close_interrupted_runs, heartbeat, start_run
from store.db import alembic_config, make_engine, session_scope, upgrade
from store.models import Mention, MentionRevision, RejectedItem, Run, utcnow

BRANDS = [{"name": "Nokia", "keywords": ["Nokia"]}]


def atom(*entries: tuple[str, str]) -> str:
    items = "".join(
        f"<entry><id>{entry_id}</id><title>Nokia review</title><link href='https://example.com/{n}'/>"
        f"<updated>2026-11-20T10:00:00Z</updated><content type='text'>{text}</content></entry>"
        for n, (entry_id, text) in enumerate(entries)
    )
    return f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>{items}</feed>"


def heureka(*reviews: tuple[str, str]) -> str:
    items = "".join(f"<review><rating_id>{rating_id}</rating_id><unix_timestamp>1763632800</unix_timestamp>"
                    f"<total_rating>4</total_rating><summary>{summary}</summary></review>" for rating_id, summary in reviews)
    return f"<?xml version='1.0' encoding='UTF-8'?><reviews>{items}</reviews>"


def test_a_nul_byte_and_an_unstorable_item_stop_neither_the_source_nor_the_next_one(engine, make_config, http_server, tmp_path):
    """A NUL (a character reference feedparser turns into U+0000) made PostgreSQL refuse the whole batch and end
    the run for every later source; an over-long review id was refused by PostgreSQL (accepted by SQLite)."""
    hostile = atom(
        ("urn:a", "Nokia G42 &#0;rebooted \x07twice"),
        ("urn:b", "Nokia cafe\u0301 works fine"),
    )
    first = http_server.route("/hostile.xml", hostile, content_type="application/atom+xml")
    export = tmp_path / "heureka.xml"
    export.write_text(heureka(("1" * 600, "Nokia id far too long"), ("42", "Nokia dorazila rychle")), encoding="utf-8")
    last = http_server.route("/clean.xml", atom(("urn:d", "Nokia 3310 still alive")), content_type="application/atom+xml")
    config = make_config({"brands": BRANDS, "sources": [
        {"name": "hostile", "type": "feed", "url": first},
        {"name": "shop", "type": "heureka", "path": str(export), "brand": "Nokia"},
        {"name": "clean", "type": "feed", "url": last}]})

    summaries = ingest_all(engine, config)

    assert [(s.source, s.stored, s.rejected) for s in summaries] == [("hostile", 2, 0), ("shop", 1, 1), ("clean", 1, 0)]
    with session_scope(engine) as session:
        texts = dict(session.execute(select(Mention.external_id, Mention.text)).all())
        rejected = session.scalars(select(RejectedItem)).one()
        runs = {run.source_name: run.status for run in session.scalars(select(Run))}
        stats = collect_stats(session)
    assert texts["urn:a"] == "Nokia G42 rebooted twice"
    assert texts["urn:b"] == unicodedata.normalize("NFC", "Nokia cafe\u0301 works fine") == "Nokia café works fine"
    assert (rejected.source_name, rejected.external_id) == ("shop", "1" * 500)
    assert "longer than 500 characters" in rejected.reason
    assert runs == {"hostile": "warning", "shop": "warning", "clean": "ok"}  # the feed was malformed: a warning
    assert stats["rejected_items"] == 1

    export.write_text(heureka(("1" * 600, "Nokia id far too long"), ("42", "Nokia dorazila rychle"), ("43", "Nokia ok")))
    again = ingest_source(engine, config, config.sources[1])  # the same bad item again is not a second record
    assert (again.stored, again.rejected) == (1, 1)
    with session_scope(engine) as session:
        assert collect_stats(session)["rejected_items"] == 1


def test_stored_text_is_cleaned_by_the_migration_so_a_refetch_is_no_edit(db_url, make_config, http_server):
    """Rows stored before cleaning (NFD accents, a control character) match what ingest now stores: the same item
    fetched again makes no revision and no rescore."""
    engine = make_engine(db_url)
    raw_text = "Nokia cafe\u0301 \x1b[31mrocks"
    try:
        command.upgrade(alembic_config(engine), "r14a")
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO sources (id, name, type, cursor) VALUES (1, 'old', 'feed', '{}')")
            connection.exec_driver_sql(
                "INSERT INTO mentions (id, source_id, source_type, external_id, title, text, text_hash, fetched_at, "
                "matched_keywords, extra, raw, sentiment_label, sentiment_source) VALUES (1, 1, 'feed', 'urn:a', "
                "'Nokia review', %s, 'h', '2026-11-20 10:00:00+00:00', '[]', '{}', '{}', 'positive', 'model')"
                if engine.dialect.name == "postgresql" else
                "INSERT INTO mentions (id, source_id, source_type, external_id, title, text, text_hash, fetched_at, "
                "matched_keywords, extra, raw, sentiment_label, sentiment_source) VALUES (1, 1, 'feed', 'urn:a', "
                "'Nokia review', ?, 'h', '2026-11-20 10:00:00+00:00', '[]', '{}', '{}', 'positive', 'model')",
                (raw_text,))
        upgrade(engine)
        url = http_server.route("/old.xml", atom(("urn:a", raw_text)), content_type="application/atom+xml")
        config = make_config({"brands": BRANDS, "sources": [{"name": "old", "type": "feed", "url": url}]})
        summary = ingest_source(engine, config, config.sources[0])
        assert (summary.stored, summary.updated) == (0, 0)
        with session_scope(engine) as session:
            mention = session.get(Mention, 1)
            assert mention.text == "Nokia café [31mrocks" and mention.sentiment_label == "positive"
            assert session.scalars(select(MentionRevision)).all() == []
    finally:
        engine.dispose()


def test_a_run_whose_process_died_is_closed_as_interrupted_but_a_live_one_is_not(engine):
    now = utcnow()
    with session_scope(engine) as session:
        session.add_all([
            Run(source_name="killed", status="running", started_at=now - timedelta(hours=1), heartbeat_at=now - timedelta(minutes=30)),
            Run(source_name="slow-but-alive", status="running", started_at=now - timedelta(hours=1), heartbeat_at=now - timedelta(seconds=20)),
        ])
    start_run(engine, "next")
    with session_scope(engine) as session:
        statuses = {run.source_name: (run.status, run.finished_at is not None) for run in session.scalars(select(Run))}
    assert statuses == {"killed": ("interrupted", True), "slow-but-alive": ("running", False), "next": ("running", False)}


def test_a_long_run_keeps_beating_so_it_is_never_taken_for_dead(engine):
    run = start_run(engine, "long")
    with session_scope(engine) as session:
        first = session.get(Run, run).heartbeat_at
    with heartbeat(engine, run, every=0.05):
        time.sleep(0.4)  # the main thread blocked, as in a slow fetch
    with session_scope(engine) as session:
        beat = session.get(Run, run).heartbeat_at
        assert beat > first
        # ten minutes after its last beat it would count as dead; three minutes after, it does not
        assert close_interrupted_runs(session, now=beat + timedelta(minutes=3)) == 0
        assert close_interrupted_runs(session, now=beat + timedelta(minutes=10)) == 1
