"""The notices part of `careloop demo`: a loopback SMTP sink, the bundled contacts and suppression list, the open
issue's campaign approved by a demo manager, delivery. Running it again sends nothing new."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from careloop.config import Config
from contacts.importer import import_contacts, import_suppressions, read_text
from drafting.followups import sync_issues
from publishing.sink import SmtpSink
from store.db import session_scope
from store.models import NoticeCampaign

from .campaigns import approve
from .delivery import send_notices

DEMO_MANAGER = "demo-manager"


@dataclass
class DemoNotices:
    contacts_added: int
    approved: dict[str, int]  # what approving queued or skipped (empty when nothing was awaiting approval)
    delivered: dict[str, int]  # this run's delivery counts
    received: int  # messages the sink got in this run


def run_demo_notices(engine: Engine, config: Config, contacts_dir: Path) -> DemoNotices:
    with session_scope(engine) as session:
        report = import_contacts(session, read_text((contacts_dir / "contacts.csv").read_bytes(), "contacts.csv"))
        import_suppressions(session, read_text((contacts_dir / "suppressions.csv").read_bytes(), "suppressions.csv"))
        sync_issues(session, config)
        approved: dict[str, int] = {}
        waiting = session.scalars(select(NoticeCampaign.id).where(NoticeCampaign.status == "awaiting_approval")
                                  .order_by(NoticeCampaign.id)).all()
        for campaign_id in waiting:
            for status, count in approve(session, config, campaign_id, DEMO_MANAGER).items():
                approved[status] = approved.get(status, 0) + count
    with SmtpSink(keep=False) as sink:
        delivered = send_notices(engine, sink.route(config))
        received = sink.count
    return DemoNotices(report.created, approved, delivered, received)
