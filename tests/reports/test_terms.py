"""What people talk about: inflected forms count as one term, stop-words and the brand's own names are gone,
per language (Czech, Slovak, Russian, English), and a digest's top terms are counted once per mention."""
from __future__ import annotations

from datetime import date

from reports.figures import top_terms
from reports.periods import Period
from reports.terms import excluded_words, extract, index_terms
from store.db import session_scope
from store.models import MentionRevision

from .conftest import put

BRANDS = excluded_words(["Nokia", "Nokii", "Nokie", "Нокиа", "Нокия", "Slack Technologies"])


def keys(text, language):
    return [item.key for item in extract(text, language, BRANDS) if item.words == 1]


def test_czech_inflections_group_and_negation_stays():
    words = keys("Přihlášení do aplikace Nokia nefunguje. Po přihlášením se aplikací nic nestane, "
                 "přihlásit se nejde a je to prostě na nic.", "cs")
    assert words.count("přihlásit") == 1 and words.count("aplikace") == 1  # přihlášení, přihlášením, přihlásit
    assert "nefungovat" in words and "fungovat" not in words  # "does not work" is not "works"
    assert not {"se", "do", "je", "to", "na", "po", "prostě", "nokia"} & set(words)


def test_slovak_russian_english():
    assert keys("Aplikácia padá, aplikáciou sa nedá prihlásiť, aplikácie sú pomalé.", "sk").count("aplikácia") == 1
    russian = keys("Приложение Нокиа зависает, приложения не открываются, с приложением беда.", "ru")
    assert russian.count("приложение") == 1 and "нокиа" not in russian and "не" not in russian
    english = keys("The app crashes. It crashed again and keeps crashing on Slack Technologies' login", "en")
    assert english.count("crash") == 1 and "the" not in english and "slack" not in english
    assert "login" in english


def test_phrases_stay_within_a_clause():
    phrases = [item.display for item in extract("Battery drain is terrible. Update broke login, battery drain again",
                                               "en", BRANDS) if item.words == 2]
    assert "battery drain" in phrases and "terrible update" not in phrases and "login battery" not in phrases


def test_top_terms_per_language_once_per_mention(sqlite_engine):
    with session_scope(sqlite_engine) as session:
        put(session, "c1", "2024-05-06 10:00", language="cs", sentiment="negative",
            text="Přihlášení nefunguje, přihlášení nefunguje!")  # twice in one mention: counted once
        put(session, "c2", "2024-05-06 11:00", language="cs", sentiment="negative", text="Po přihlášením aplikace spadne.")
        put(session, "c3", "2024-05-07 11:00", language="cs", sentiment="negative", text="Nejde přihlásit, aplikace padá.")
        put(session, "c4", "2024-05-07 12:00", language="cs", sentiment="positive", text="Přihlášení funguje skvěle.")
        put(session, "r1", "2024-05-07 12:00", language="ru", sentiment="negative", text="Батарея садится быстро.")
        put(session, "r2", "2024-05-08 12:00", language="ru", sentiment="negative", text="Батареи хватает на час.")
        put(session, "x1", "2024-05-20 12:00", language="cs", sentiment="negative", text="Přihlášení nefunguje.")  # later
        index_terms(session, ["Nokia"])
        period = Period(date(2024, 5, 6), date(2024, 5, 13), "Europe/Prague")
        from reports.rollup import refresh_rollup

        refresh_rollup(session, "Europe/Prague")
        negative = {entry["language"]: entry for entry in top_terms(session, ["Nokia"], period, "negative")}
    assert list(negative) == ["cs", "ru"]  # the language with more negative mentions first
    assert negative["cs"]["terms"][0] == {"term": "přihlášení", "mentions": 3}
    assert {"term": "aplikace", "mentions": 2} in negative["cs"]["terms"]
    assert negative["ru"]["terms"] == [{"term": "батарея", "mentions": 2}]
    assert all(term["mentions"] >= 2 for entry in negative.values() for term in entry["terms"])


def test_edited_mentions_are_read_again(sqlite_engine):
    with session_scope(sqlite_engine) as session:
        mention = put(session, "e1", "2024-05-06 10:00", text="Baterie vydrží dlouho.", language="cs")
        assert index_terms(session, []) == 1
        session.add(MentionRevision(mention_id=mention.id, text=mention.text))
        mention.text = "Displej praská."
        session.flush()
        index_terms(session, [])
        from store.models import MentionTerm, Term

        terms = session.query(Term.key).join(MentionTerm, MentionTerm.term_id == Term.id).filter(
            MentionTerm.mention_id == mention.id).all()
    assert {key for (key,) in terms} >= {"displej"} and "baterie" not in {key for (key,) in terms}
