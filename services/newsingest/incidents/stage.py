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
from newsingest.metrics import Metrics
from newsingest.records import ArticleRecord, decode, encode

log = structlog.get_logger(__name__)


class IncidentStage:
    def __init__(self, linker: IncidentLinker, metrics: Metrics | None = None) -> None:
        self.linker = linker
        self._metrics = metrics

    async def __call__(self, article: ArticleRecord) -> list[IncidentRecord]:
        """The incident the report joined (or opened), then any incidents that closed."""
        if not article.tags.strike.is_strike:
            return []
        redelivered = self.linker.incident_of(article.article_id) is not None
        record = self.linker.link(article)
        closed = self.linker.close_stale()
        if self._metrics is not None:
            self._count(article, record, closed, redelivered=redelivered)
        return [record, *closed]

    def _count(
        self,
        article: ArticleRecord,
        record: IncidentRecord,
        closed: list[IncidentRecord],
        *,
        redelivered: bool,
    ) -> None:
        assert self._metrics is not None
        links = self._metrics.incident_links
        if not redelivered:  # a redelivery changes nothing: it is not counted again
            links.labels(outcome=link_outcome(article, record)).inc()
        merged = sum(1 for r in closed if r.merged_into)
        if merged:
            links.labels(outcome="merged").inc(merged)
        self._metrics.incidents_open.set(self.linker.open_count)

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
        if self._metrics is not None:
            self._metrics.incidents_open.set(self.linker.open_count)
        return self.linker.open_count


def link_outcome(article: ArticleRecord, record: IncidentRecord) -> str:
    """``opened`` (a new incident), ``duplicate`` (joined as a near-copy of an earlier
    source) or ``linked`` (joined)."""
    if record.version == 1:
        return "opened"
    source = next((s for s in record.sources if s.article_id == article.article_id), None)
    return "duplicate" if source is not None and source.duplicate_of else "linked"


def incident_outputs(records: list[IncidentRecord], topic: str) -> list[Outgoing]:
    """Each version on the compacted topic, keyed by ``incident_id``."""
    return [Outgoing(topic, encode(r), key=r.incident_id.encode()) for r in records]
