"""Full-text search on SQLite (FTS5) and PostgreSQL (tsvector): diacritics-insensitive, kept current by the
database's triggers whoever writes, hostile input searched as words."""
import pytest
from alembic import command
from sqlalchemy import delete, select

from ingest.pipeline import ingest_source
from store.db import alembic_config, make_engine, session_scope, upgrade
from store.mentions import revise
from store.models import Draft, Mention, MentionRevision
from store.search import MAX_WORDS, SearchError, matching, search_words
from tests.conftest import REPO
from tests.drafting.helpers import add_draft, add_mention


def found(session, typed: str) -> list[int]:
    """Mention ids that a search for `typed` finds, newest first."""
    query = matching(select(Mention.id), search_words(typed), session.get_bind().dialect.name)
    return list(session.scalars(query))


@pytest.fixture
def mentions(engine):
    with session_scope(engine) as session:
        ids = {key: add_mention(session, text, title=title, language=language).id for key, title, text, language in [
            ("reklamace", "Reklamace — nefunguje", "Telefon po reklamaci zase nejde zapnout.", "cs"),
            ("zaruka", None, "Záruka na baterii je jen šest měsíců? ŽLUŤOUČKÝ kůň se směje.", "cs"),
            ("russian", None, "Когда будет обновление для G42?", "ru"),
            ("english", None, "Battery drains overnight, this OR that does not help.", "en"),
        ]}
    return ids


def test_czech_and_slovak_typed_without_diacritics_find_the_mention(engine, mentions):
    with session_scope(engine) as session:
        assert found(session, "reklamace nefunguje") == [mentions["reklamace"]]  # title, across the dash
        assert found(session, "zaruka") == [mentions["zaruka"]]
        assert found(session, "ZÁRUKA baterii") == [mentions["zaruka"]]
        assert found(session, "zlutoucky kun") == [mentions["zaruka"]]  # upper case and ů, ť, č, ý in the text
        assert found(session, "reklamac") == []  # whole words, unless asked for a word's start:
        assert found(session, "reklamac*") == [mentions["reklamace"]]  # "reklamaci" in the text too
        assert found(session, "reklamace zaruka") == []  # every word must occur


def test_russian_is_found_in_any_case(engine, mentions):
    with session_scope(engine) as session:
        assert found(session, "обновление") == [mentions["russian"]]
        assert found(session, "КОГДА g42") == [mentions["russian"]]
        assert found(session, "обнов*") == [mentions["russian"]]


def test_short_words_match_whole_words_only(engine, mentions):
    with session_scope(engine) as session:
        assert search_words("je* bat*") == ["je", "bat*"]
        assert found(session, "je*") == [mentions["zaruka"]]  # not every word starting with "je" ("jen")
        assert found(session, "ba") == []


HOSTILE = ['"', "*", "NEAR(", "NEAR(battery drains)", "OR", "battery OR", '"battery', "battery*", "-battery", "^battery",
           "battery:", "body:battery", "(", ")", "{}", "'; DROP TABLE mentions; --", "AND NOT", "a & b | !c", "battery:*",
           "\\", "\x00"]


def test_hostile_input_is_searched_as_plain_words(engine, mentions):
    with session_scope(engine) as session:
        for typed in HOSTILE:
            result = found(session, typed) if search_words(typed) else []
            expected = {"OR": [mentions["english"]], "battery OR": [mentions["english"]],
                        "battery*": [mentions["english"]], "-battery": [mentions["english"]]}.get(typed)
            if expected is not None:
                assert result == expected, typed
            assert set(result) <= {mentions["english"]}, typed  # "battery" / "or" / "body" only where written
        assert search_words('"') == search_words("*") == search_words("\x00") == []
        assert session.scalar(select(Mention.id).where(Mention.id == mentions["english"]))  # nothing dropped


def test_too_many_words_is_an_error_naming_the_input(engine):
    typed = " ".join(f"word{n}" for n in range(MAX_WORDS + 1))
    with pytest.raises(SearchError, match=rf"at most {MAX_WORDS} words: 'word0 word1 .*' has {MAX_WORDS + 1}"):
        search_words(typed)


def test_reply_text_is_searched_and_follows_edits_and_deletes(engine, mentions):
    with session_scope(engine) as session:
        mention = session.get(Mention, mentions["english"])
        draft_id = add_draft(session, mention, "Zkuste prosím kalibraci baterie.")
    with session_scope(engine) as session:
        assert found(session, "kalibraci") == [mentions["english"]]
        session.get(Draft, draft_id).text = "Vyměníme vám ji v servisu."
    with session_scope(engine) as session:
        assert found(session, "kalibraci") == []
        assert found(session, "vymenime servisu") == [mentions["english"]]
        session.execute(delete(Draft).where(Draft.id == draft_id))
    with session_scope(engine) as session:
        assert found(session, "servisu") == []
        assert found(session, "overnight") == [mentions["english"]]  # the mention's own text stays


def test_an_edited_mention_is_found_by_its_new_words_only(engine, mentions):
    with session_scope(engine) as session:
        revise(session, session.get(Mention, mentions["zaruka"]), {"text": "Baterie vydrží dva dny.", "title": "Opraveno"})
    with session_scope(engine) as session:
        assert found(session, "zaruka") == []
        assert found(session, "vydrzi opraveno") == [mentions["zaruka"]]
        session.execute(delete(MentionRevision).where(MentionRevision.mention_id == mentions["zaruka"]))
        session.delete(session.get(Mention, mentions["zaruka"]))
    with session_scope(engine) as session:
        assert found(session, "vydrzi") == []


def test_newest_mention_comes_first(engine, mentions):
    with session_scope(engine) as session:
        newer = add_mention(session, "Další reklamace, zase nefunguje.").id
    with session_scope(engine) as session:
        assert found(session, "reklamace nefunguje") == [newer, mentions["reklamace"]]


def test_new_mentions_are_searchable_after_ingest(engine, make_config):
    feed = REPO / "examples" / "data" / "feeds" / "mastodon_tag_nokia.rss"
    config = make_config({"brands": [{"name": "Nokia", "keywords": ["Nokia"], "aliases": ["Nokie"], "exclude": ["Nokian"]}],
                          "sources": [{"name": "toot", "type": "feed", "path": str(feed)}]})
    ingest_source(engine, config, config.sources[0])
    with session_scope(engine) as session:
        hits = found(session, "reklamacia tyzden")  # "Reklamácia mojej nokie trvá už tretí týždeň"
        assert [session.get(Mention, id_).url for id_ in hits] == [
            "https://mastodon.example.cz/@zuzka_ba/111000000000000003"]


def test_mentions_stored_before_the_upgrade_are_indexed_by_it(db_url):
    engine = make_engine(db_url)
    try:
        command.upgrade(alembic_config(engine), "d15c")
        now = "2026-11-20 10:00:00+00:00"
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO sources (id, name, type, cursor) VALUES (1, 'heureka', 'heureka', '{}')",
                "INSERT INTO mentions (id, source_id, source_type, external_id, title, text, text_hash, fetched_at, "
                f"matched_keywords, extra, raw) VALUES (7, 1, 'heureka', 'r1', 'Záruka', 'Displej praskl', 'h', '{now}', "
                "'[]', '{}', '{}')",
                "INSERT INTO drafts (id, mention_id, kind, campaign, status, text, check_failures, priority, "
                f"created_at, updated_at) VALUES (1, 7, 'reply', '', 'sent', 'Pošlete nám číslo objednávky.', '[]', 1, "
                f"'{now}', '{now}')",
            ):
                connection.exec_driver_sql(statement)
        upgrade(engine)
        with session_scope(engine) as session:
            assert found(session, "zaruka displej") == [7]
            assert found(session, "objednavky") == [7]
    finally:
        engine.dispose()
