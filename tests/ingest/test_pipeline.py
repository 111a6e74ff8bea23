"""Ingest end to end on SQLite and PostgreSQL: match, store once, link duplicates, survive failures."""
import pytest
from sqlalchemy import func, select

from careloop.stats import collect_stats
from connectors import ConnectorError
from ingest.pipeline import ingest_all, ingest_source
from store.db import session_scope
from store.models import Mention, Run, Source
from tests.conftest import REPO

FEEDS = REPO / "examples" / "data" / "feeds"

BRANDS = [
    {"name": "Slack", "keywords": ["Slack"], "exclude": ["slack adjuster", "slack wax", "automotive slack"]},
    {"name": "Nokia", "keywords": ["Nokia"], "aliases": ["Nokie", "Нокиа"], "exclude": ["Nokian"]},
]


def feed(name, file_or_url):
    key = "url" if str(file_or_url).startswith("http") else "path"
    return {"name": name, "type": "feed", key: str(file_or_url)}


def stats(engine):
    with session_scope(engine) as session:
        return collect_stats(session)


def test_rerun_stores_nothing_twice(engine, make_config):
    config = make_config({"brands": BRANDS, "sources": [feed("alerts", FEEDS / "google_alerts_atom.xml"), feed("toot", FEEDS / "mastodon_tag_nokia.rss")]})
    ingest_all(engine, config)
    before = stats(engine)
    assert before["mentions"] == 16 + 4  # 4 alerts are about car parts and wax; 2 toots are not about Nokia phones
    assert before["by_brand"] == {"Nokia": 4, "Slack": 16}
    ingest_all(engine, config)
    after = stats(engine)
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_rerun_through_http_with_changed_validators_still_dedups(engine, make_config, http_server):
    body = (FEEDS / "mastodon_tag_nokia.rss").read_bytes()
    url = http_server.route("/nokia.rss", body, content_type="application/rss+xml")
    config = make_config({"brands": BRANDS, "sources": [feed("toot", url)]})
    assert ingest_source(engine, config, config.sources[0]).stored == 4
    http_server.route("/nokia.rss", body + b"\n", content_type="application/rss+xml")  # new ETag, same items
    second = ingest_source(engine, config, config.sources[0])
    assert (second.fetched, second.stored) == (6, 0)
    third = ingest_source(engine, config, config.sources[0])
    assert (third.fetched, third.stored) == (0, 0)  # 304
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 4


def test_languages_and_matched_keywords_are_stored(engine, make_config):
    config = make_config({"brands": BRANDS, "sources": [feed("toot", FEEDS / "mastodon_tag_nokia.rss"), feed("ru", FEEDS / "touchnokia_ru_atom.xml")]})
    ingest_all(engine, config)
    with session_scope(engine) as session:
        mentions = {m.external_id: m for m in session.scalars(select(Mention))}
    slovak = mentions["https://mastodon.example.cz/@zuzka_ba/111000000000000003"]
    assert (slovak.language, slovak.matched_keywords) == ("sk", ["Nokie"])
    assert mentions["https://mastodon.example.cz/@jirka/111000000000000002"].language == "cs"
    assert stats(engine)["by_language"]["ru"] == 15
    assert all(0 < m.language_confidence <= 1 for m in mentions.values())


def test_same_story_through_two_sources_is_linked_not_counted_twice(engine, make_config):
    config = make_config({"brands": BRANDS, "sources": [feed("alerts", FEEDS / "google_alerts_atom.xml"), feed("hn", FEEDS / "hnrss_slack.xml")]})
    ingest_all(engine, config)
    with session_scope(engine) as session:
        copy = session.scalar(select(Mention).where(Mention.duplicate_of_id.is_not(None)))
        original_source = session.get(Mention, copy.duplicate_of_id).source.name
    assert original_source == "alerts" and copy.title.startswith("Recode Daily")
    summary = stats(engine)
    assert summary["duplicates_linked"] == 1 and summary["mentions"] == 16 + 2


def test_same_long_text_from_another_source_is_linked(engine, make_config, tmp_path):
    text = "Nokia servis v Brně mi vyměnil displej za dva dny, skvělá práce a milý personál."
    for name in ("a", "b"):
        (tmp_path / f"{name}.rss").write_text(
            f'<rss version="2.0"><channel><item><guid>{name}-1</guid><link>https://{name}.example/1</link>'
            f"<description>{text}</description></item></channel></rss>", encoding="utf-8")
    config = make_config({"brands": BRANDS, "sources": [feed("a", tmp_path / "a.rss"), feed("b", tmp_path / "b.rss")]})
    ingest_all(engine, config)
    assert (stats(engine)["mentions"], stats(engine)["duplicates_linked"]) == (1, 1)


def test_failing_source_does_not_stop_the_others(engine, make_config, tmp_path):
    config = make_config({"brands": BRANDS, "sources": [
        feed("broken", tmp_path / "missing.xml"),
        feed("toot", FEEDS / "mastodon_tag_nokia.rss"),
    ]})
    summaries = ingest_all(engine, config)
    assert [s.status for s in summaries] == ["failed", "ok"]
    with session_scope(engine) as session:
        runs = {run.source_name: run for run in session.scalars(select(Run))}
        broken = session.scalar(select(Source).where(Source.name == "broken"))
    assert runs["broken"].status == "failed" and "source 'broken': cannot read" in runs["broken"].message
    assert broken.last_status == "failed" and broken.cursor == {}
    assert runs["toot"].stored == 4
    assert {s["name"]: s["last_status"] for s in stats(engine)["sources"]} == {"broken": "failed", "toot": "ok"}


def test_failure_keeps_stored_mentions_and_cursor(engine, make_config, tmp_path):
    path = tmp_path / "toot.rss"
    path.write_bytes((FEEDS / "mastodon_tag_nokia.rss").read_bytes())
    config = make_config({"brands": BRANDS, "sources": [feed("toot", path)]})
    ingest_source(engine, config, config.sources[0])
    path.unlink()
    with pytest.raises(ConnectorError):
        ingest_source(engine, config, config.sources[0])
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 4
        assert session.scalar(select(Source.cursor)).get("sha256")


def test_bozo_feed_is_recorded_as_warning(engine, make_config):
    config = make_config({"brands": BRANDS, "sources": [feed("cz", FEEDS / "cz_tech_news_truncated.rss")]})
    summary = ingest_source(engine, config, config.sources[0])
    assert summary.status == "warning" and summary.stored == 2
    with session_scope(engine) as session:
        assert "malformed feed" in session.scalar(select(Run.message))
