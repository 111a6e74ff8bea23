"""The notices stage's declarations (careloop/stage.py)."""
from careloop.stage import Deployment, Stage

from .cli import register
from .stats import notice_stats


def _routers():
    from .web import router as known_issues

    return [known_issues]


STAGE = Stage(
    name="notices",
    cli=register,
    stats=notice_stats,
    routers=_routers,
    deployments=(Deployment("notices", "flows/notify_flow.py:notices_flow"),),
)
