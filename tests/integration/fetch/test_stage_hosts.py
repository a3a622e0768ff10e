"""The fetch stage as deployed: one host's burst does not hold up the other hosts of
its partition. Two real loopback origins (127.0.0.1 and 127.0.0.2, so two hosts and
two keys of news.urls) share the one partition; host a asks for a Crawl-delay and
gets its URLs first, yet host b's pages come out at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from aiokafka import TopicPartition

from newsingest.broker import Cluster
from newsingest.broker.publisher import Publisher
from newsingest.config import ApiSettings
from newsingest.metrics import Metrics
from newsingest.pipeline import url_output
from newsingest.urls import url_record
from tests.conftest import SettingsFactory, unique_topics
from tests.integration.fetch.conftest import fetch_settings
from tests.integration.fetch.origin import Origin, respond
from tests.integration.stage import running_app
from tests.integration.topics import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

A_URLS = 30  # with 16 in flight per partition and no key bound, b would wait for 14 of them
B_URLS = 10
CRAWL_DELAY_S = 1
PAGE = respond(200, b"<p>news</p>", {"Content-Type": "text/html"})


async def _arrivals(cluster: Cluster, topic: str, count: int) -> dict[bytes, float]:
    """When each record key of ``topic`` was first seen (monotonic), until ``count`` keys."""
    consumer = cluster.consumer("arrivals", group=None)
    await consumer.start()
    seen: dict[bytes, float] = {}
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        while len(seen) < count:
            for batch in (await consumer.getmany(timeout_ms=50)).values():
                now = time.monotonic()
                for record in batch:
                    seen.setdefault(record.key or b"", now)
    finally:
        await consumer.stop()
    return seen


async def test_a_burst_of_one_host_does_not_hold_up_another_host_of_its_partition(
    make_settings: SettingsFactory, origin_factory: Callable[..., Origin]
) -> None:
    robots = f"User-agent: *\nCrawl-delay: {CRAWL_DELAY_S}\n".encode()
    a = origin_factory({"/robots.txt": respond(200, robots), "*": PAGE})
    b = origin_factory({"/robots.txt": respond(404), "*": PAGE}, host="127.0.0.2")
    settings = make_settings(
        topics=unique_topics(1),
        fetch=fetch_settings(a.authority, b.authority, max_per_host=2),
        api=ApiSettings(enabled=False),
    )
    a_urls = [url_record(a.url(f"/a/{n}"), "cli") for n in range(A_URLS)]
    b_urls = [url_record(b.url(f"/b/{n}"), "cli") for n in range(B_URLS)]
    async with running_app(settings, stages=["fetch"]) as app:
        arrivals = asyncio.create_task(
            _arrivals(app.cluster, settings.topics.pages, A_URLS + B_URLS)
        )
        async with Publisher(app.cluster.producer("test"), Metrics()) as publisher:
            submitted = time.monotonic()
            await publisher.publish([url_output(u, settings.topics) for u in a_urls])
            await publisher.publish([url_output(u, settings.topics) for u in b_urls])
        async with asyncio.timeout(90):
            seen = await arrivals
        with pytest.raises(TimeoutError):
            await read_topic(app.cluster, settings.topics.dlq, 1, within_s=1)
    b_last = max(seen[u.url_id.encode()] for u in b_urls) - submitted
    a_last = max(seen[u.url_id.encode()] for u in a_urls) - submitted
    assert b_last < 3.0  # 0.4 s here; 14.6 s with no per-key bound
    assert a_last >= (A_URLS - 1) * CRAWL_DELAY_S * 0.9  # a's Crawl-delay still spaces its pages
