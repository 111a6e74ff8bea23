"""The notices flow under a real Prefect server: approved notices are delivered once, a second run sends nothing."""
from __future__ import annotations

import yaml
from sqlalchemy import select

from flows.notify_flow import notices_flow
from notices.campaigns import approve
from store.db import connect, session_scope
from store.models import NoticeCampaign
from tests.conftest import email_settings
from tests.drafting.helpers import EXAMPLE
from tests.notices.helpers import import_csv, open_login_issue


def test_notices_flow_delivers_approved_notices_once(prefect_harness, tmp_path, smtp_sink):
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data.update(database=f"sqlite:///{tmp_path / 'flow.db'}", sources=[], email=email_settings(smtp_sink),
                knowledge={**data["knowledge"], "path": str(EXAMPLE.parent / data["knowledge"]["path"])})
    path = tmp_path / "careloop.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    from careloop.config import load_config

    config = load_config(path)
    engine = connect(config.database_url())
    with session_scope(engine) as session:
        import_csv(session)
        open_login_issue(session, config)
        approve(session, config, session.scalar(select(NoticeCampaign.id).join(NoticeCampaign.issue)
                                                .where(NoticeCampaign.issue.has(key="nokia-care-app-login-fails-on-android"))), "maria")
    first = notices_flow(str(path))
    second = notices_flow(str(path))
    assert first["sent"] == 4 and second["sent"] == 0 and smtp_sink.count == 4
