import pytest


@pytest.fixture(scope="session")
def prefect_harness():
    """A real, temporary Prefect API server for the session (flows run through Prefect, not around it)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
