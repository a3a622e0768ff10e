"""The incidents stage: ``news.strikes`` in, incident versions for ``news.incidents`` out.

Linking is synchronous and short (well under a millisecond), so it runs on
the event loop: no await inside, hence no two reports ever link at once.
The stage's memory is rebuilt before it consumes, by ``restore_from`` over the
compacted ``news.incidents`` topic (``broker.table.read_table``).

One caveat for operators: each replica links the reports of its own
partitions, so two replicas may each open an incident for the same strike
when its first reports land on both at once. Run the stage as one replica
(a report links in well under a millisecond), or accept the rare split.
"""

from __future__ import annotations

from collections.abc import AsyncIterable

import structlog

from newsingest.broker.publisher import Outgoing
from newsingest.errors import InvalidRecordError
from newsingest.incidents.linker import IncidentLinker
from newsingest.incidents.record import IncidentRecord
from newsingest.records import ArticleRecord, decode, encode

log = structlog.get_logger(__name__)


class IncidentStage:
    def __init__(self, linker: IncidentLinker) -> None:
        self.linker = linker

    async def __call__(self, article: ArticleRecord) -> list[IncidentRecord]:
        """The incident the report joined (or opened), then any incidents that closed."""
        if not article.tags.strike.is_strike:
            return []
        return [self.linker.link(article), *self.linker.close_stale()]

    def restore(self, key: bytes, value: bytes | None) -> None:
        """Feed one record of the compacted topic (``None`` is a tombstone)."""
        if value is None:
            self.linker.drop(key.decode())
            return
        self.linker.restore(decode(IncidentRecord, value))

    async def restore_from(self, table: AsyncIterable[tuple[bytes, bytes | None]]) -> int:
        """Replay the compacted topic; the number of incidents left open."""
        async for key, value in table:
            try:
                self.restore(key, value)
            except InvalidRecordError as exc:
                # One bad record must not keep the stage from starting.
                log.warning("unreadable incident record skipped", reason=exc.reason, error=str(exc))
        return self.linker.open_count


def incident_outputs(records: list[IncidentRecord], topic: str) -> list[Outgoing]:
    """Each version on the compacted topic, keyed by ``incident_id``."""
    return [Outgoing(topic, encode(r), key=r.incident_id.encode()) for r in records]
