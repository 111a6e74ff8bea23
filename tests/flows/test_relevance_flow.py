"""The relevance flow run through Prefect: agents' decisions fitted into the brand's model, a markdown artifact
with the figures, and nothing refitted when no decision is new."""
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from sqlalchemy import select

from flows.relevance_flow import relevance_flow
from store.db import connect, session_scope
from store.models import RelevanceFit
from tests.understanding.relevance_decisions import NOT_SLACK, SLACK, example_config_file, mark


def test_relevance_flow_fits_the_brands_model_once_and_leaves_an_artifact(prefect_harness, tmp_path, default_scorer):
    path, config = example_config_file(tmp_path)
    with session_scope(connect(config.database_url())) as session:
        mark(session, default_scorer, config, NOT_SLACK, "not_about")
        mark(session, default_scorer, config, SLACK, "about")

    assert relevance_flow(str(path)) == 1
    with get_client(sync_client=True) as client:
        only_relevance = ArtifactFilter(key=ArtifactFilterKey(any_=["careloop-relevance"]))
        [artifact] = client.read_artifacts(artifact_filter=only_relevance)
    assert "1 of 2 brands' models retrained" in artifact.data
    assert "| Slack | 10 | 10 | learnt, retrained |" in artifact.data and "| Nokia | 0 | 0 | default |" in artifact.data
    assert relevance_flow(str(path)) == 0  # no new decision: nothing refitted
    with session_scope(connect(config.database_url())) as session:
        assert [fit.brand for fit in session.scalars(select(RelevanceFit))] == ["Slack"]
