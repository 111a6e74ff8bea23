"""Agents' relevance decisions on Slack mentions, stored with their real embeddings (relevance training tests)."""
import yaml

from careloop.config import load_config
from drafting.relabel import mark_relevance
from sentiment.pipeline import score_unscored
from tests.drafting.helpers import EXAMPLE, add_mention

NOT_SLACK = [
    "The rope went slack as the climber reached the ledge.", "Our project schedule has some slack built in for delays.",
    "Cut me some slack, I just started this job last week.", "The fishing line hung slack in the calm water.",
    "Tighten the slack in the tent guy lines before the storm.", "Demand for coal stayed slack through the winter months.",
    "He stood with a slack jaw when the verdict was read.", "The sails went slack when the wind died at noon.",
    "Slack water at high tide is the best time to dive the wreck.",
    "Take up the slack in the chain before lifting the engine.",
]
SLACK = [
    "Slack keeps logging me out of the desktop app.", "Our Slack workspace notifications stopped arriving on Android.",
    "Slack huddles keep dropping audio every few minutes.", "Can't upload files to a Slack channel since the update.",
    "Slack search does not find messages older than a week.", "The Slack bill doubled after we added guest accounts.",
    "Slack threads show the wrong unread count.", "I love the new Slack canvas feature, great work.",
    "Slack status sync with Google Calendar is broken.", "Slack app crashes when I open a DM on iPhone.",
]
def mark(session, scorer, config, texts: list[str], label: str, brand: str = "Slack") -> None:
    mentions = [add_mention(session, text, brand=brand, sentiment=None) for text in texts]
    score_unscored(session, scorer)
    for mention in mentions:
        mark_relevance(session, mention.id, "agent-anna", label, config)




def example_config_file(folder):
    """The example careloop.yaml with a SQLite store in `folder` and no sources: (path, Config)."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data.update(database="sqlite:///careloop.db", sources=[], knowledge={})
    path = folder / "careloop.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path, load_config(path)
