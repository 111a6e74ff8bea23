"""The roof passes the connectors' source types to configuration (careloop.yaml's `sources[].type` is checked
against them): configuration may not import connectors, which import it.

Its own module, apart from the stage list, because every Prefect flow process needs it (flows/__init__.py) and
importing every stage there cost each flow process ~0.7 s more CPU (6.0 s against 5.3 s for flows.ingest_flow).
"""
from careloop.config import declare_source_types
from connectors import source_options

# each source type's Options model: `sources[i].options` is checked against it at load time
declare_source_types(source_options)
