"""careloop: the customer-care loop — listen, understand, draft, approve, notify, ask, report."""
__version__ = "0.1.0"

from careloop.logs import install as _redact_logs  # noqa: E402  (before any library logs a URL)

_redact_logs()
