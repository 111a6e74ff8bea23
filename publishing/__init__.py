"""Stage 5, publish: approved replies leave through the outbox, exactly once. `pipeline.publish_pending` is
what the flows call; replies that no API can post wait as "manual" for an agent to copy and mark as sent."""
