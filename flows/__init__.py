"""Orchestration only: schedules, retries, which stage runs when. The logic lives in the stage packages."""
