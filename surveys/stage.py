"""The surveys stage's declarations (careloop/stage.py)."""
from careloop.stage import Deployment, Stage

from .cli import register
from .stats import survey_stats


def _routers():
    from .agent_page import router as survey_answer

    return [survey_answer]


def _public_routes():
    from .web import survey_router

    return [survey_router]


STAGE = Stage(
    name="surveys",
    cli=register,
    stats=survey_stats,
    routers=_routers,
    public_routes=_public_routes,
    deployments=(Deployment("surveys", "flows/survey_flow.py:surveys_flow"),),
)
