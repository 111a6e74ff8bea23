"""The ingest stage's declarations (careloop/stage.py): its `stats --json` keys and its deployment, one per
source. It has no command of its own: `careloop run` (the roof) runs every source, then the rest of the loop."""
from careloop.stage import Deployment, Stage

from .stats import listening_stats

STAGE = Stage(
    name="ingest",
    stats=listening_stats,
    deployments=(Deployment("ingest", "flows/ingest_flow.py:ingest_flow", per_source=True),),
)
