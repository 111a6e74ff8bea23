"""The understanding stage's declarations (careloop/stage.py)."""
from careloop.stage import Deployment, Stage

from .cli import register

STAGE = Stage(
    name="understanding",
    cli=register,
    deployments=(Deployment("relevance", "flows/relevance_flow.py:relevance_flow"),),
)
