"""The agents' web inbox: queue of drafted replies, decisions, reports. `create_app(engine, config)` builds it."""

__all__ = ["create_app"]


def __getattr__(name: str):
    # Imported on first use: every `careloop` command imports this package for its CLI, and FastAPI costs ~0.3 s.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module 'inbox' has no attribute {name!r}")
