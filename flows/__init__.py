"""Orchestration only: schedules, retries, which stage runs when. The logic lives in the stage packages.

Every flow file imports this package (flows.run_output), so a flow process learns the connectors' source types
before it loads careloop.yaml, as the CLI does (careloop/source_types.py).
"""
import careloop.source_types  # noqa: F401
