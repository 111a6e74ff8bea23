"""Heureka shop- and product-review exports: real export samples, the key from the environment, errors."""
from pathlib import Path

import pytest

from careloop.config import SourceConfig
from connectors import ConnectorAuthError, ConnectorError, get_connector

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "a1b2c3d4e5f6secret"


def fetch(cursor=None, **source):
    config = SourceConfig(name="nokia-eshop-heureka", type="heureka", brand="Nokia", **source)
    return get_connector("heureka").fetch(config, cursor or {}, [])


def test_shop_export_keeps_stars_subratings_pros_and_cons():
    reviews = {m.external_id: m for m in fetch(path=FIXTURES / "heureka_eshop_reviews.xml").mentions}
    assert [m.rating for m in reviews.values()] == [5, 5, 4, 5, None]
    two_pros = reviews["140332011"]
    assert two_pros.text == "spokojena\n+ rychlé dodání\n+ dobré ceny\n− nevím o žádných"
    assert two_pros.extra["pros"] == ["rychlé dodání", "dobré ceny"] and two_pros.extra["cons"] == ["nevím o žádných"]
    assert two_pros.author == "Věra - J." and two_pros.published_at.isoformat() == "2016-01-05T10:46:25+00:00"
    half_step = reviews["138008506"]
    assert half_step.extra["ratings"] == {"delivery_time": 5, "transport_quality": 5, "web_usability": 3.5, "communication": 5}
    assert half_step.extra["shop_reaction"] == "byl to německý výrobek" and half_step.author is None
    assert reviews["59065101"].text == "+ super ceny za kvalitní zboží\n− žlutý kůň Úpěl Ďábelské ódy"


def test_product_export_names_the_product_and_keeps_a_repeated_review_once():
    reviews = fetch(path=FIXTURES / "heureka_product_reviews.xml").mentions
    assert sorted(m.external_id for m in reviews) == ["5948610", "5952149", "5957872"]
    stand = next(m for m in reviews if m.external_id == "5957872")
    # Listed twice, 3 stars then 5 stars an hour later: the later version wins.
    assert stand.rating == 5 and "+ za ty peníze je to dobrý kšeft" in stand.text
    assert stand.title == "Stojan notový Pecka MSP-008 RD"
    assert stand.extra["product_url"] == "http://www.someeshop.cz/stojan-notovy-pecka.html"
    assert stand.url is None  # the product page is not this review's address


def test_key_comes_from_the_environment_and_never_shows_in_errors(http_server, monkeypatch):
    monkeypatch.setenv("NOKIA_HEUREKA_KEY", SECRET)
    url = http_server.route("/direct/dotaznik/export-review.php", (FIXTURES / "heureka_eshop_reviews.xml").read_bytes(), content_type="text/xml")
    result = fetch(url=url, options={"key_env": "NOKIA_HEUREKA_KEY"})
    assert len(result.mentions) == 5
    assert http_server.requests[0]["query"] == {"key": [SECRET]}

    http_server.route("/direct/dotaznik/export-review.php", "<html>Neplatný klíč</html>", content_type="text/html")
    with pytest.raises(ConnectorError) as wrong_page:
        fetch(url=url, options={"key_env": "NOKIA_HEUREKA_KEY"})
    assert "not a Heureka review export" in str(wrong_page.value) and SECRET not in str(wrong_page.value)

    http_server.route("/direct/dotaznik/export-review.php", "forbidden", status=403, content_type="text/plain")
    with pytest.raises(ConnectorAuthError) as refused:
        fetch(url=url, options={"key_env": "NOKIA_HEUREKA_KEY"})
    assert "check NOKIA_HEUREKA_KEY" in str(refused.value) and SECRET not in str(refused.value)


def test_missing_key_names_the_variable_to_set(monkeypatch):
    monkeypatch.delenv("HEUREKA_KEY", raising=False)
    with pytest.raises(ConnectorAuthError, match="HEUREKA_KEY is not set"):
        fetch(options={"country": "sk"})


def test_key_in_the_yaml_url_is_refused(monkeypatch):
    monkeypatch.setenv("HEUREKA_KEY", SECRET)
    with pytest.raises(ConnectorError, match="must not be in `url`"):
        fetch(url=f"https://www.heureka.cz/direct/dotaznik/export-review.php?key={SECRET}")


def test_unchanged_export_is_not_parsed_again(http_server, monkeypatch):
    monkeypatch.setenv("HEUREKA_KEY", SECRET)
    url = http_server.route("/export-review.php", (FIXTURES / "heureka_eshop_reviews.xml").read_bytes(), content_type="text/xml")
    first = fetch(url=url)
    second = fetch(first.cursor, url=url)
    assert len(first.mentions) == 5 and second.mentions == []
    assert http_server.requests[1]["headers"]["If-None-Match"] == first.cursor["etag"]


def test_entity_expansion_is_refused(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                    "<reviews><review><rating_id>1</rating_id><summary>&b;</summary></review></reviews>")
    with pytest.raises(ConnectorError, match="nokia-eshop-heureka.*refused for safety"):
        fetch(path=bomb)
