"""careloop: the customer-care loop — listen, understand, draft, approve, notify, ask, report."""
__version__ = "0.1.0"
