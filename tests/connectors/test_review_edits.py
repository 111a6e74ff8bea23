"""A review edited after the first fetch, through ingest into SQLite and PostgreSQL: the stored
mention is updated, not duplicated, and what it said before is kept in its history."""
import json
from pathlib import Path

from sqlalchemy import select

from ingest.pipeline import ingest_source
from store.db import session_scope
from store.models import Mention, MentionRevision

FIXTURES = Path(__file__).parent / "fixtures"
BRANDS = [{"name": "Nokia", "keywords": ["Nokia"], "aliases": ["Nokie"]}]
APP_PAGE1 = "/cz/rss/customerreviews/page=1/id=1488520614/sortby=mostrecent/json"


def stored(engine):
    with session_scope(engine) as session:
        mentions = {m.external_id: m for m in session.scalars(select(Mention))}
        revisions = list(session.scalars(select(MentionRevision)))
        return mentions, revisions, {m.id: m.external_id for m in mentions.values()}


def test_edited_heureka_review_is_updated_with_history(engine, make_config, tmp_path):
    export = tmp_path / "export.xml"
    original = (FIXTURES / "heureka_eshop_reviews.xml").read_text(encoding="utf-8")
    export.write_text(original, encoding="utf-8")
    config = make_config({"brands": BRANDS, "languages": ["cs", "sk", "en"], "sources": [
        {"name": "eshop-heureka", "type": "heureka", "brand": "Nokia", "path": str(export)}]})
    first = ingest_source(engine, config, config.sources[0])
    assert (first.fetched, first.stored) == (5, 5)  # none names Nokia: the source's brand is enough

    # The customer comes back: 4 stars become 2, the summary and cons change.
    edited = original.replace("<total_rating>4</total_rating>", "<total_rating>2</total_rating>").replace(
        "dobrý obchod s rychlým vyřízením a doručením objednávky", "Reklamace trvá už měsíc, nikdo neodpovídá. Žádná spokojenost.")
    export.write_text(edited, encoding="utf-8")
    second = ingest_source(engine, config, config.sources[0])
    assert (second.stored, second.updated) == (0, 1)

    mentions, revisions, ids = stored(engine)
    assert len(mentions) == 5
    review = mentions["138008506"]
    assert review.rating == 2 and review.text.startswith("Reklamace trvá už měsíc, nikdo neodpovídá. Žádná spokojenost.")
    assert review.updated_at is not None and review.brand == "Nokia"
    [revision] = revisions
    assert ids[revision.mention_id] == "138008506" and revision.rating == 4
    assert revision.text.startswith("dobrý obchod s rychlým vyřízením a doručením objednávky\n− u výrobků chyběl návod v češtině")
    assert mentions["59065101"].text.endswith("− žlutý kůň Úpěl Ďábelské ódy") and mentions["59065101"].rating is None
    assert sorted(m.rating for m in mentions.values() if m.rating) == [2, 5, 5, 5]

    third = ingest_source(engine, config, config.sources[0])  # unchanged export: nothing read, nothing revised
    assert (third.fetched, third.updated) == (0, 0) and len(stored(engine)[1]) == 1


def test_edited_app_store_review_over_http_is_updated_with_history(engine, make_config, http_server):
    page = json.loads((FIXTURES / "appstore_cz_page1.json").read_text(encoding="utf-8"))
    page["feed"]["entry"].append({**page["feed"]["entry"][0], "id": {"label": "11400000001"}, "title": {"label": "★"},
                                  "content": {"label": "", "attributes": {"type": "text"}}, "im:rating": {"label": "5"},
                                  "updated": {"label": "2026-11-01T12:00:00-07:00"}})  # stars without any text
    http_server.route(APP_PAGE1, json.dumps(page))
    config = make_config({"brands": BRANDS, "languages": ["cs", "sk", "ru", "en"], "sources": [
        {"name": "nokia-care-ios", "type": "appstore", "brand": "Nokia", "url": http_server.url,
         "options": {"app_id": "1488520614", "country": "cz", "pages": 1}}]})
    assert ingest_source(engine, config, config.sources[0]).stored == 4

    slovak = page["feed"]["entry"][1]
    slovak["im:rating"]["label"], slovak["updated"]["label"] = "4", "2026-11-16T09:30:00-07:00"
    slovak["content"]["label"] = "Po aktualizácii 3.4.1 už prihlásenie funguje, ďakujem za rýchlu opravu."
    http_server.route(APP_PAGE1, json.dumps(page))
    second = ingest_source(engine, config, config.sources[0])
    assert (second.stored, second.updated) == (0, 1)

    mentions, revisions, ids = stored(engine)
    assert len(mentions) == 4
    assert (mentions["11431950212"].rating, mentions["11431950212"].text) == (4, "Po aktualizácii 3.4.1 už prihlásenie funguje, ďakujem za rýchlu opravu.")
    [revision] = revisions
    assert (ids[revision.mention_id], revision.rating, revision.title) == ("11431950212", 2, "Nedá sa prihlásiť")
    assert revision.text == "Po zadaní kódu z SMS sa appka vráti na úvodnú obrazovku. Skúšala som to päťkrát."
    assert (mentions["11400000001"].text, mentions["11400000001"].rating) == ("", 5)
    assert mentions["11430811947"].language == "ru" and mentions["11431950212"].language == "sk"
