"""Known issues and proactive notices: the registry managed by people (issues), notice campaigns each change
creates and a manager approves (campaigns), rendered per contact in their language (compose), delivered through the
outbox's e-mail channel under the one contact policy (delivery)."""
