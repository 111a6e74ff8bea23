"""Google Play reviews: the real google-auth client signs in as a service account against a loopback
token endpoint, then `reviews.list` is paged over loopback HTTP."""
import json
import os
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from careloop.config import SourceConfig
from connectors import ConnectorAuthError, ConnectorError, get_connector

FIXTURES = Path(__file__).parent / "fixtures"
PACKAGE = "com.nokia.care"
REVIEWS = f"/androidpublisher/v3/applications/{PACKAGE}/reviews"
TOKEN = "ya29.loopback-token"


@pytest.fixture
def play(http_server, tmp_path, monkeypatch):
    """A fake Google: token endpoint and two pages of reviews; the key file in GOOGLE_PLAY_SERVICE_ACCOUNT."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    key_file = tmp_path / "service-account.json"
    key_file.write_text(json.dumps({
        "type": "service_account", "project_id": "nokia-care", "private_key_id": "k1", "private_key": pem,
        "client_email": "careloop@nokia-care.iam.gserviceaccount.com", "client_id": "1",
        "token_uri": f"{http_server.url}/token",
    }))
    monkeypatch.setenv("GOOGLE_PLAY_SERVICE_ACCOUNT", str(key_file))
    http_server.route("/token", json.dumps({"access_token": TOKEN, "expires_in": 3600, "token_type": "Bearer"}))
    http_server.route(REVIEWS, (FIXTURES / "googleplay_reviews_page1.json").read_bytes())
    http_server.route(REVIEWS, (FIXTURES / "googleplay_reviews_page2.json").read_bytes(), when={"token": "CpEBCo4BKosBCg8IARIL"})
    return http_server


def fetch(cursor=None, **source):
    source.setdefault("options", {"package_name": PACKAGE})
    config = SourceConfig(name="nokia-care-android", type="googleplay", brand="Nokia", **source)
    return get_connector("googleplay").fetch(config, cursor or {}, [])


def test_signs_in_and_reads_every_page(play):
    result = fetch(url=play.url)
    assert [m.rating for m in result.mentions] == [1, 5, 2, 4]
    grant = parse_qs(play.requests[0]["body"])
    assert grant["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"] and grant["assertion"][0].count(".") == 2
    api_calls = [r for r in play.requests if r["path"] == REVIEWS]
    assert [r["headers"]["Authorization"] for r in api_calls] == [f"Bearer {TOKEN}"] * 2
    assert api_calls[1]["query"]["token"] == ["CpEBCo4BKosBCg8IARIL"]
    titled = result.mentions[1]
    # "title<TAB>body" is split; the developer's earlier answer is shown to the agent.
    assert (titled.title, titled.text) == ("Super appka", "Oprava mojej Nokie prebehla bez problémov, kuriér prišiel na druhý deň.")
    assert titled.extra["developer_reply"] == "Ďakujeme, Peter! Tím Nokia Care"
    assert titled.url == f"https://play.google.com/store/apps/details?id={PACKAGE}&reviewId=gp%3AAOqpTOGv2Lr7yEo9dT4aQ8"
    assert result.mentions[0].title is None and result.mentions[0].text.startswith("Po aktualizaci nejde")
    assert result.mentions[3].text == "" and result.mentions[3].extra["device"] == "Nokia G42 5G (G42)"
    assert result.cursor["newest"] == "2026-11-16T08:02:00+00:00"


def test_second_run_reads_only_until_known_reviews(play):
    first = fetch(url=play.url)
    play.requests.clear()
    second = fetch(first.cursor, url=play.url)
    # The boundary review, and the rest of the newest page again: its developer replies may have changed.
    assert [m.external_id for m in second.mentions] == ["gp:AOqpTOFmN3kq8xW0bH6cZ1", "gp:AOqpTOGv2Lr7yEo9dT4aQ8"]
    assert [r["path"] for r in play.requests] == ["/token", REVIEWS]


def test_rejected_service_account_names_the_variable(play):
    play.route("/token", json.dumps({"error": "invalid_grant", "error_description": "Invalid JWT Signature."}), status=400)
    with pytest.raises(ConnectorAuthError, match="nokia-care-android.*GOOGLE_PLAY_SERVICE_ACCOUNT.*invalid_grant"):
        fetch(url=play.url)


def test_service_account_without_access_to_the_app_says_what_to_do(play):
    play.route(REVIEWS, json.dumps({"error": {"code": 403, "message": "The caller does not have permission"}}), status=403)
    with pytest.raises(ConnectorAuthError, match="check GOOGLE_PLAY_SERVICE_ACCOUNT .*invited to com.nokia.care in Play Console"):
        fetch(url=play.url)


def test_key_may_be_given_as_json_in_a_custom_variable(play, monkeypatch):
    monkeypatch.setenv("NOKIA_PLAY_KEY", Path(os.environ["GOOGLE_PLAY_SERVICE_ACCOUNT"]).read_text())
    monkeypatch.delenv("GOOGLE_PLAY_SERVICE_ACCOUNT")
    assert len(fetch(url=play.url, options={"package_name": PACKAGE, "credentials_env": "NOKIA_PLAY_KEY"}).mentions) == 4


def test_missing_or_broken_key_is_explained(monkeypatch, tmp_path):
    monkeypatch.delenv("GOOGLE_PLAY_SERVICE_ACCOUNT", raising=False)
    with pytest.raises(ConnectorAuthError, match="GOOGLE_PLAY_SERVICE_ACCOUNT is not set"):
        fetch(url="http://127.0.0.1:9")
    monkeypatch.setenv("GOOGLE_PLAY_SERVICE_ACCOUNT", str(tmp_path / "missing.json"))
    with pytest.raises(ConnectorAuthError, match="must hold a service-account JSON key"):
        fetch(url="http://127.0.0.1:9")


def test_wrong_shape_is_a_clear_error(play):
    play.route(REVIEWS, json.dumps({"reviews": {"not": "a list"}}))
    with pytest.raises(ConnectorError, match="not a reviews.list response"):
        fetch(url=play.url)


def test_saved_response_needs_no_credentials(monkeypatch):
    monkeypatch.delenv("GOOGLE_PLAY_SERVICE_ACCOUNT", raising=False)
    result = fetch(path=FIXTURES / "googleplay_reviews_page2.json")
    assert [m.author for m in result.mentions] == ["Дмитрий Смирнов", "Lukáš"]
