"""The discover stage assembled: the Kafka seen memory and the guarded client
around a ``Discoverer``, opened and closed together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from newsingest.broker import Cluster
from newsingest.config import Settings
from newsingest.discover.discoverer import Discoverer, Emit
from newsingest.discover.seen import KafkaSeenUrls
from newsingest.fetch import Connect, GuardedClient, Resolver
from newsingest.metrics import Metrics


@asynccontextmanager
async def discover_stage(
    settings: Settings,
    metrics: Metrics,
    cluster: Cluster,
    *,
    emit: Emit,
    resolver: Resolver | None = None,
    connect: Connect | None = None,
) -> AsyncIterator[Discoverer]:
    """A ready ``Discoverer`` (seen URLs loaded from ``settings.topics.seen``); run it with
    ``await discoverer.run(stop)``. ``cluster`` must be started."""
    seen = KafkaSeenUrls(
        cluster.producer("discover-seen"),
        cluster.table_consumer("discover-seen"),
        settings.topics.seen,
    )
    http = GuardedClient(settings.fetch, metrics, resolver=resolver, connect=connect)
    async with seen, http:
        yield Discoverer(settings, metrics, emit=emit, seen=seen, http=http)
