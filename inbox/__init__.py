"""The agents' web inbox: queue of drafted replies, decisions, users. `inbox.app.create_app` builds its application,
which later stages' pages join; the whole application with every stage's pages is `careloop.webapp.create_app`."""
