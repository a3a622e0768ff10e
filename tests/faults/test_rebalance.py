"""Two enrich replicas; a third joins and one leaves mid-run: nothing is lost and every
partition of news.pages is consumed to its end."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from newsingest.broker import Cluster
from newsingest.broker.publisher import Publisher
from newsingest.metrics import Metrics
from newsingest.pipeline import url_output
from newsingest.urls import url_record
from tests.conftest import SettingsFactory, unique_topics
from tests.faults.ledger import committed, duplicates, read_all
from tests.integration.origin import SEEDS, Origin, Page
from tests.integration.process import ServiceProcess, service_env
from tests.integration.topics import read_topic, values

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

URLS = 600
PARTITIONS = 6
IN_FLIGHT = 16  # NEWSINGEST_RUNNER_MAX_IN_FLIGHT of each replica


@pytest.fixture
async def origin() -> AsyncIterator[Origin]:
    bodies = [p.read_bytes() for p in SEEDS]
    pages = {
        f"/story/{n}.txt": Page(bodies[n % len(bodies)], "text/plain; charset=utf-8")
        for n in range(URLS)
    }
    async with Origin(pages) as server:
        yield server


async def test_replicas_join_and_leave_mid_run(
    make_settings: SettingsFactory, origin: Origin
) -> None:
    settings = make_settings(topics=unique_topics(PARTITIONS))
    topics = settings.topics
    env = service_env(
        settings,
        NEWSINGEST_FETCH_ALLOW=origin.allow,
        NEWSINGEST_FETCH_HOST_DELAY_S="0",
        NEWSINGEST_FETCH_MAX_PER_HOST="16",
        NEWSINGEST_ENRICH_WORKERS="1",
        NEWSINGEST_RUNNER_MAX_IN_FLIGHT_PER_PARTITION="4",
        NEWSINGEST_RUNNER_MAX_IN_FLIGHT=str(IN_FLIGHT),
    )
    submitted = [url_record(origin.url(path), "cli") for path in origin.pages]
    async with Cluster(settings) as cluster:
        # Fetch everything first, so that the enrich group has work on every partition.
        async with Publisher(cluster.producer("test"), Metrics()) as publisher:
            await publisher.publish([url_output(u, topics) for u in submitted])
        fetch = await ServiceProcess(env, "--stages", "fetch").start()
        await read_topic(cluster, topics.pages, URLS, within_s=120)
        assert await fetch.terminate() == 0

        enrich = [await ServiceProcess(env, "--stages", "enrich").start() for _ in range(2)]
        try:
            await read_topic(cluster, topics.articles, URLS // 5, within_s=90)
            enrich.append(await ServiceProcess(env, "--stages", "enrich").start())  # joins
            joined_at = time.monotonic()
            await read_topic(cluster, topics.articles, URLS // 2, within_s=90)
            half_s = time.monotonic() - joined_at
            assert await enrich.pop(0).terminate() == 0  # leaves
            left_at = time.monotonic()
            done = await read_topic(cluster, topics.articles, URLS, within_s=120, distinct=True)
            rest_s = time.monotonic() - left_at
        finally:
            for replica in enrich:
                assert await replica.terminate() == 0
        pages = await read_topic(cluster, topics.pages, URLS)
        offsets = await committed(cluster, "enrich", topics.pages)
        articles = await read_all(cluster, topics.articles)

    lost = {u.url_id for u in submitted} - {a["url_id"] for a in values(done)}
    redone = duplicates(articles)
    print(
        f"\nrebalance (2 enrich replicas, +1 joins, -1 leaves): {URLS} URLs, {len(lost)} lost, "
        f"{redone} duplicate articles; to half done {half_s:.1f} s after the join, "
        f"all done {rest_s:.1f} s after the leave"
    )
    assert not lost
    # A graceful leave or join hands partitions over drained and committed: only records
    # abandoned at a revoke deadline are redone, at most what the 3 replicas had in flight.
    assert redone <= 3 * IN_FLIGHT
    last_offsets: dict[int, int] = {}
    for page in pages:
        last_offsets[page.partition] = max(last_offsets.get(page.partition, -1), page.offset)
    assert len(last_offsets) == PARTITIONS  # the pages were spread over every partition
    for partition, last in last_offsets.items():
        assert offsets[partition] == last + 1, f"partition {partition} not consumed to its end"
