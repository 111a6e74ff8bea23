"""Stage 1, listen: one module per source type, each registered by its `type` name in careloop.yaml.

Next stop for what a connector returns: `ingest/` (brand matching, language, dedup, storage).
"""
from .base import (
    Connector,
    ConnectorAuthError,
    ConnectorError,
    ConnectorNotFound,
    ConnectorUnavailable,
    FetchedMention,
    FetchResult,
    ReplyingConnector,
    connector_types,
    get_connector,
    options_of,
    register,
    reply_limit,
    source_options,
)

__all__ = [
    "Connector", "ConnectorAuthError", "ConnectorError", "ConnectorNotFound", "ConnectorUnavailable",
    "FetchedMention", "FetchResult",
    "ReplyingConnector", "connector_types", "get_connector", "options_of", "register", "reply_limit", "source_options",
]
