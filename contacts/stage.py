"""The contacts stage's declarations (careloop/stage.py). Its unsubscribe link is answered under /public by the
inbox's public application (inbox/public.py), which sits above contacts."""
from careloop.stage import Stage

from .cli import register

STAGE = Stage(name="contacts", cli=register)
