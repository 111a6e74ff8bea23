"""The loopback Google Play and App Store Connect fakes (publishing/store_apis.py) as fixtures: one review on each,
the Play service-account key and the App Store .p8 key in the environment, as an operator would set them."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from publishing.store_apis import StoreAPIs
from store.models import utcnow

PACKAGE, APP_ID, ISSUER, KEY_ID = "com.nokia.care", "1488520614", "57246542-96fe-1a63-e053-0824d011072a", "2X9R4HXF34"


@pytest.fixture(scope="module")
def apple_key():
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def apis(tmp_path, monkeypatch, apple_key):
    """Both fakes with one review each; the Play service-account key and the App Store .p8 key in the environment."""
    server = StoreAPIs(apple_public_key=apple_key.public_key(), apple_issuer=ISSUER)
    server.play[PACKAGE] = {"gp:AOqpTOGaR1": {"reviewId": "gp:AOqpTOGaR1", "authorName": "Jana", "comments": [
        {"userComment": {"text": "\tPo aktualizaci se telefon restartuje", "starRating": 1,
                         "lastModified": {"seconds": str(int(utcnow().timestamp()) - 3600)}}}]}}
    server.apple[APP_ID] = {"00000035-d8a7-6b01-a1b2-000000000001": {"response": None, "attributes": {
        "rating": 1, "title": "Restarts", "body": "My phone restarts while charging since 2.1.4",
        "reviewerNickname": "mark_s", "createdDate": (utcnow() - timedelta(hours=1)).isoformat(timespec="seconds"),
        "territory": "USA"}}}
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "play.json"
    key_file.write_text(json.dumps({
        "type": "service_account", "project_id": "nokia-care", "private_key_id": "k1", "client_id": "1",
        "private_key": rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()).decode(),
        "client_email": "careloop@nokia-care.iam.gserviceaccount.com", "token_uri": f"{server.url}/token"}))
    monkeypatch.setenv("GOOGLE_PLAY_SERVICE_ACCOUNT", str(key_file))
    monkeypatch.setenv("APP_STORE_CONNECT_KEY", apple_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode())
    yield server
    server.close()
