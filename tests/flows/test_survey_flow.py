"""The surveys flow under a real Prefect server: a due scheduled round is e-mailed once; a second run sends nothing."""
from __future__ import annotations

import yaml

from flows.survey_flow import surveys_flow
from store.db import connect, session_scope
from tests.conftest import email_settings
from tests.drafting.helpers import EXAMPLE
from tests.notices.helpers import import_csv
from tests.surveys.helpers import SURVEYS, consent_all


def test_surveys_flow_sends_a_due_round_once(prefect_harness, tmp_path, smtp_sink):
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    campaign = {"name": "nps-monthly", "survey": "loyalty-nps", "trigger": "scheduled", "schedule": "0 0 1 * *", "sample": 3}
    data["knowledge"]["path"] = str(EXAMPLE.parent / data["knowledge"]["path"])
    data.update(database=f"sqlite:///{tmp_path / 'flow.db'}", sources=[], email=email_settings(smtp_sink),
                public_url="https://care.example.com", surveys={**SURVEYS, "campaigns": [campaign]})
    path = tmp_path / "careloop.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    from careloop.config import load_config

    with session_scope(connect(load_config(path).database_url())) as session:
        import_csv(session)
        consent_all(session)
    first = surveys_flow(str(path))
    second = surveys_flow(str(path))
    assert first["queued"] == {"nps-monthly": {"queued": 3}} and first["delivered"]["sent"] == 3
    assert second["queued"] == {"nps-monthly": {}} and second["delivered"]["sent"] == 0 and smtp_sink.count == 3
