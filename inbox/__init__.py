"""The agents' web inbox: queue of drafted replies, decisions, reports. `create_app(engine, config)` builds it."""
from .app import create_app

__all__ = ["create_app"]
