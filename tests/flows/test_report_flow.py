"""The digests flow run through Prefect: yesterday's digest built, e-mailed once through the outbox, and left as a
markdown artifact on the flow run."""
from datetime import timedelta

import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from flows.report_flow import digests_flow
from store.db import connect, session_scope
from store.models import utcnow
from tests.conftest import email_settings
from tests.reports.conftest import put


def test_digests_flow_sends_the_due_digest_and_leaves_an_artifact(prefect_harness, tmp_path, smtp_sink):
    config = tmp_path / "careloop.yaml"
    config.write_text(yaml.safe_dump({
        "database": "sqlite:///careloop.db",
        "brands": [{"name": "Nokia", "keywords": ["Nokia"]}],
        "email": email_settings(smtp_sink),
        "reports": {"timezone": "UTC", "inbox_url": "https://care.example.com", "digests": [
            {"name": "nokia-daily", "brands": ["Nokia"], "send_at": "00:00", "subscribers": ["mark@example.com"]}]},
    }))
    yesterday = utcnow().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    with session_scope(connect(f"sqlite:///{tmp_path / 'careloop.db'}")) as session:
        for index, sentiment in enumerate(["negative", "negative", "positive"]):
            put(session, f"m{index}", (yesterday + timedelta(minutes=index)).strftime("%Y-%m-%d %H:%M"),
                sentiment=sentiment, text="[click](javascript:alert(1)) login fails")

    result = digests_flow(str(config))
    assert result["digests"] == ["nokia-daily"] and result["sent"] == 1
    assert digests_flow(str(config))["digests"] == []  # already built and sent: nothing twice
    assert [message["To"] for message in smtp_sink.messages()] == ["mark@example.com"]

    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["digest-nokia-daily"])))
    assert artifact.type == "markdown" and f"daily digest {yesterday.date()}".lower() in artifact.data.lower()
    assert "| mentions | 3 |" in artifact.data and "https://care.example.com/mentions/" in artifact.data
    assert "](javascript:" not in artifact.data  # mention text cannot make a link
