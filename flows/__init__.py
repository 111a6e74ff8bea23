"""Orchestration only: schedules, retries, which stage runs when. The logic lives in the stage packages.

Every flow file imports this package (flows.run_output), so a flow run wires the stages like the CLI does:
careloop/stages.py passes the connectors' source types to configuration before any flow loads careloop.yaml.
"""
import careloop.stages  # noqa: F401
