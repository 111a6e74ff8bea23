"""The inbox's declarations (careloop/stage.py): `careloop user …`. Its own pages (queue, decisions, login) are
the application every stage's routes join (inbox/app.py); `careloop serve` serves that whole application from
the roof (careloop/webapp.py)."""
from careloop.stage import Stage

from .cli import register

STAGE = Stage(name="inbox", cli=register)
