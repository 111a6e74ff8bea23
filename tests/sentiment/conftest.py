import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("CARELOOP_THREADS", "2")


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    """A private careloop data directory: the e5 conversion is written there once per test session."""
    path = tmp_path_factory.mktemp("careloop-data")
    old = os.environ.get("CARELOOP_DATA_DIR")
    os.environ["CARELOOP_DATA_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("CARELOOP_DATA_DIR", None)
    else:
        os.environ["CARELOOP_DATA_DIR"] = old


@pytest.fixture(scope="session")
def converted(data_dir):
    from sentiment.e5_convert import convert

    return convert()


@pytest.fixture(scope="session")
def default_scorer(converted):
    from sentiment.scorer import load_scorer

    return load_scorer("default")
