"""The sentiment stage's declarations (careloop/stage.py)."""
from careloop.stage import Deployment, Stage

from .cli import register
from .pipeline import sentiment_stats

# score shares its work with other runs by claimed batches: runs side by side.
STAGE = Stage(
    name="sentiment",
    cli=register,
    stats=sentiment_stats,
    deployments=(Deployment("score", "flows/score_flow.py:score_flow", one_at_a_time=False),),
)
