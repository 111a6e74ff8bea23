"""The drafting stage's declarations (careloop/stage.py)."""
from careloop.stage import Deployment, Stage

from .cli import register
from .stats import drafts_by_status

# draft shares its work with other runs by claimed batches: runs side by side.
STAGE = Stage(
    name="drafting",
    cli=register,
    stats=drafts_by_status,
    deployments=(Deployment("draft", "flows/draft_flow.py:draft_flow", one_at_a_time=False),),
)
