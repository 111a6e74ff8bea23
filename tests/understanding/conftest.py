"""The labelled sets embedded once per session (an encoder pass over 200 texts is ~10 s on 2 cores)."""
import pytest

from sentiment.data import read_rows
from tests.conftest import REPO

DATA = REPO / "tests" / "data"


@pytest.fixture(scope="session")
def encoder(default_scorer):
    return default_scorer.encoder


@pytest.fixture(scope="session")
def topic_rows():
    return list(read_rows(DATA / "topics_labelled.tsv"))


@pytest.fixture(scope="session")
def topic_vectors(encoder, topic_rows):
    return encoder.embed([row["text"] for row in topic_rows])


@pytest.fixture(scope="session")
def default_topics(encoder):
    from careloop.config import TopicsConfig
    from understanding.topics import build_classifier

    return build_classifier(TopicsConfig(), encoder.embed)


@pytest.fixture(scope="session")
def example_config():
    from careloop.config import load_config

    return load_config(REPO / "examples" / "careloop.yaml")
