"""The incidents stage: many reports of one strike become one incident record.

``IncidentLinker`` holds the open incidents and links each strike report to
one of them (or opens a new one); ``IncidentRecord`` is what it publishes on
``news.incidents``. ``evaluate`` and ``offline`` are the command-line entry
points; the Kafka wiring lives in the runner, not here.
"""

from newsingest.incidents.config import LinkerConfig
from newsingest.incidents.linker import IncidentLinker
from newsingest.incidents.record import INCIDENT_SCHEMA, IncidentRecord

__all__ = ["INCIDENT_SCHEMA", "IncidentLinker", "IncidentRecord", "LinkerConfig"]
