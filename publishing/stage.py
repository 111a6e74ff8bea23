"""The publishing stage's declarations (careloop/stage.py)."""
from careloop.stage import Deployment, Stage

from .cli import register

STAGE = Stage(
    name="publishing",
    cli=register,
    deployments=(Deployment("publish", "flows/publish_flow.py:publish_flow"),),
)
