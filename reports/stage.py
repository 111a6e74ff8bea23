"""The reports stage's declarations (careloop/stage.py)."""
from careloop.stage import Deployment, Stage

from .cli import register
from .stats import reports_stats


def _routers():
    from .kpis_tab import router as kpis
    from .web import router as digests

    return [digests, kpis]


STAGE = Stage(
    name="reports",
    cli=register,
    stats=reports_stats,
    routers=_routers,
    deployments=(Deployment("digests", "flows/report_flow.py:digests_flow"),
                 Deployment("emerging", "flows/emerging_flow.py:emerging_flow")),
)
