"""Each new article URL is submitted exactly once across restarts of the
discover stage: the seen memory is the compacted topic on a real broker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from newsingest.broker import Cluster
from newsingest.config import DiscoverSettings, FetchSettings, Settings
from newsingest.discover import KafkaSeenUrls, discover_stage
from newsingest.metrics import Metrics
from newsingest.records import UrlRecord
from tests.integration.discover.conftest import Documents
from tests.integration.discover.test_discover import publish, run_until_polled, sources
from tests.integration.fetch.conftest import LoopbackOnly
from tests.integration.fetch.origin import Origin


async def discover_once(settings: Settings, origin: Origin) -> tuple[list[UrlRecord], int]:
    """One life of the stage: start, poll every source once, stop. Returns what it emitted."""
    emitted: list[UrlRecord] = []

    async def emit(records: Sequence[UrlRecord]) -> None:
        emitted.extend(records)

    metrics, net = Metrics(), LoopbackOnly()
    async with (
        Cluster(settings) as cluster,
        discover_stage(
            settings, metrics, cluster, emit=emit, resolver=net.resolve, connect=net.connect
        ) as discoverer,
    ):
        assert isinstance(discoverer.seen, KafkaSeenUrls)
        remembered = len(discoverer.seen)
        discoverer.sources = sources(origin)
        await run_until_polled(discoverer, metrics, polls=len(discoverer.sources))
    return emitted, remembered


async def test_each_new_url_once_across_two_restarts(
    make_settings: Callable[..., Settings],
    feed_origin: Origin,
    documents: Documents,
    discover_fetch_settings: FetchSettings,
) -> None:
    groups: dict[str, Any] = {
        "fetch": discover_fetch_settings,
        "discover": DiscoverSettings(poll_interval_s=3600, jitter=0),
    }
    settings = make_settings(**groups)

    publish(documents, feed_origin, articles=4)
    first, remembered_at_first = await discover_once(settings, feed_origin)
    publish(documents, feed_origin, articles=7)  # three more articles
    second, remembered_at_second = await discover_once(settings, feed_origin)
    third, remembered_at_third = await discover_once(settings, feed_origin)  # nothing new

    assert (remembered_at_first, remembered_at_second, remembered_at_third) == (0, 4, 7)
    assert sorted(r.url for r in first) == [f"https://news.test/a/{i}" for i in range(4)]
    assert sorted(r.url for r in second) == [f"https://news.test/a/{i}" for i in range(4, 7)]
    assert third == []


async def test_a_large_document_goes_in_batches_and_is_remembered_whole(
    make_settings: Callable[..., Settings],
    feed_origin: Origin,
    documents: Documents,
    discover_fetch_settings: FetchSettings,
) -> None:
    # More new links than one submit batch: several multi-record batches on the seen
    # topic, all of which a restart must read back.
    settings = make_settings(
        fetch=discover_fetch_settings,
        discover=DiscoverSettings(poll_interval_s=3600, jitter=0),
    )
    publish(documents, feed_origin, articles=1_300)
    first, _ = await discover_once(settings, feed_origin)
    again, remembered = await discover_once(settings, feed_origin)

    assert len(first) == len({r.url_id for r in first}) == 1_300
    assert remembered == 1_300
    assert again == []
