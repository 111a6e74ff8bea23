"""What the source knows about language (Heureka.cz/.sk, App Store storefront, Google Play's reviewer language)
steadies short Czech and Slovak texts, and does not override a text that is clearly in another language."""
import json

import pytest
from sqlalchemy import select

from ingest.language import detect_language, source_language
from ingest.pipeline import ingest_all
from store.db import session_scope
from store.models import Mention
from tests.conftest import REPO

CODES = ("en", "cs", "sk", "ru", "de", "pl")
ROWS = [json.loads(line) for line in (REPO / "tests/data/language_short_cs_sk.jsonl").open(encoding="utf-8")]
PRIOR = {"heureka.cz": "cs", "heureka.sk": "sk"}


def accuracy(prior_of) -> dict[str, float]:
    return {lang: sum(detect_language(row["text"], CODES, prior_of(row))[0] == lang for row in ROWS if row["lang"] == lang)
            / sum(row["lang"] == lang for row in ROWS) for lang in ("cs", "sk")}


def test_source_prior_fixes_short_czech_and_slovak_texts():
    before, after = accuracy(lambda row: None), accuracy(lambda row: PRIOR[row["source"]])
    assert len(ROWS) == 200
    assert before["cs"] < 0.85 and after["cs"] >= 0.90 and after["sk"] >= 0.95, (before, after)


def test_a_language_the_source_states_is_taken():
    text = "Po poslední aktualizaci nejde přihlášení přes SMS kód, pořád dokola chce nový kód. Nokia Care tak k ničemu."
    assert detect_language(text, CODES)[0] == "sk"  # lingua's rules, certain and wrong
    assert detect_language(text, CODES, prior="cs")[0] == "sk"  # a prior cannot outweigh certainty
    assert detect_language(text, CODES, prior="cs", stated=True) == ("cs", 1.0)  # Google Play says cs


def test_clear_text_outweighs_the_prior():
    text = "Fast delivery and the phone works great, thank you very much for the quick help"
    assert detect_language(text, CODES, prior="cs")[0] == "en"
    assert detect_language("Доставка быстрая, телефон отличный, спасибо", CODES, prior="sk")[0] == "ru"


@pytest.mark.parametrize("source_type, options, extra, expected", [
    ("heureka", {"country": "sk"}, {}, "sk"), ("heureka", {}, {}, "cs"), ("appstore", {"country": "cz"}, {}, "cs"),
    ("appstore", {"country": "gb"}, {}, "en"), ("googleplay", {}, {"reviewer_language": "sk"}, "sk"),
    ("googleplay", {}, {}, None), ("feed", {}, {}, None),
])
def test_what_each_source_suggests(source_type, options, extra, expected):
    assert source_language(source_type, options, extra) == expected


def test_czech_heureka_review_is_stored_as_czech(engine, make_config, tmp_path):
    export = tmp_path / "heureka.xml"
    export.write_text("""<?xml version="1.0" encoding="utf-8"?><reviews><review><rating_id>1</rating_id>
      <unix_timestamp>1794435001</unix_timestamp><total_rating>5</total_rating>
      <summary>Nokia: funguje to!</summary></review></reviews>""", encoding="utf-8")
    config = make_config({"languages": ["en", "cs", "sk"], "brands": [{"name": "Nokia", "keywords": ["Nokia"]}],
                          "sources": [{"name": "shop", "type": "heureka", "brand": "Nokia", "path": str(export)}]})
    assert detect_language("Nokia: funguje to!", ("en", "cs", "sk"))[0] != "cs"  # the text alone: Slovak
    ingest_all(engine, config)
    with session_scope(engine) as session:
        assert session.scalar(select(Mention.language)) == "cs"
