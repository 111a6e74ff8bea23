"""Cross-source duplicates follow one rule whatever order (or concurrency) the sources were ingested in."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import aliased

from careloop.config import load_config
from ingest.pipeline import ingest_all, ingest_source
from store.db import connect, session_scope
from store.models import Mention, Source
from tests.conftest import REPO
from tests.ingest.test_pipeline import BRANDS, stats


def links(engine) -> dict:
    """(source, external id) of every duplicate → (source, external id) of its original."""
    original, original_source = aliased(Mention), aliased(Source)
    with session_scope(engine) as session:
        rows = session.execute(
            select(Source.name, Mention.external_id, original_source.name, original.external_id)
            .join(Source, Source.id == Mention.source_id)
            .join(original, original.id == Mention.duplicate_of_id)
            .join(original_source, original_source.id == original.source_id)
        ).all()
    return {(a, b): (c, d) for a, b, c, d in rows}


def test_demo_sources_link_the_same_in_any_order_and_in_parallel(tmp_path):
    config = load_config(REPO / "examples" / "careloop.yaml")
    sources = [source for source in config.sources if source.enabled]
    in_order = connect(f"sqlite:///{tmp_path / 'order.db'}")
    ingest_all(in_order, config)
    reversed_order = connect(f"sqlite:///{tmp_path / 'reversed.db'}")
    for source in reversed(sources):
        ingest_source(reversed_order, config, source)
    parallel = connect(f"sqlite:///{tmp_path / 'parallel.db'}")
    with ThreadPoolExecutor(len(sources)) as pool:
        list(pool.map(lambda source: ingest_source(parallel, config, source), sources))

    expected = links(in_order)
    assert expected, "the demo data has cross-source duplicates"
    assert links(reversed_order) == expected and links(parallel) == expected
    assert stats(in_order)["mentions"] == stats(reversed_order)["mentions"] == stats(parallel)["mentions"]


def test_the_copy_published_first_is_the_original_even_when_fetched_last(engine, make_config, tmp_path):
    def write(name, published):
        (tmp_path / f"{name}.rss").write_text(
            f'<rss version="2.0"><channel><item><guid>{name}-1</guid><link>https://news.example/nokia?utm_source={name}</link>'
            f"<title>Nokia story</title><pubDate>{published}</pubDate></item></channel></rss>", encoding="utf-8")
    write("late", "Tue, 03 Nov 2026 10:00:00 GMT")
    write("early", "Mon, 02 Nov 2026 10:00:00 GMT")
    config = make_config({"brands": BRANDS, "sources": [
        {"name": "late", "type": "feed", "path": str(tmp_path / "late.rss")},
        {"name": "early", "type": "feed", "path": str(tmp_path / "early.rss")},
    ]})
    ingest_source(engine, config, config.sources[0])
    assert links(engine) == {}
    summary = ingest_source(engine, config, config.sources[1])
    # the later-fetched but earlier-published copy becomes the original; the first one is re-linked to it
    assert links(engine) == {("late", "late-1"): ("early", "early-1")}
    assert summary.duplicates_linked == 0 and stats(engine)["mentions"] == 1
    with session_scope(engine) as session:
        original = session.scalar(select(Mention).where(Mention.duplicate_of_id.is_(None)))
    assert original.published_at == datetime(2026, 11, 2, 10, tzinfo=timezone.utc)
