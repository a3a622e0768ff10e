"""`newsingest run` as a real process against a broker started apart (`newsingest
broker` in a process of its own, or the external Kafka when one is configured):
SIGTERM with records in flight exits 0 within the drain deadline, what finished
is committed, and a restart redoes the rest, losing nothing and duplicating little."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator

import pytest

from newsingest.broker import Cluster, free_port
from newsingest.broker.publisher import Publisher
from newsingest.metrics import Metrics
from newsingest.pipeline import url_output
from newsingest.urls import url_record
from tests.conftest import SettingsFactory
from tests.faults.ledger import committed, duplicates, finished_vs_committed, read_all, url_ids
from tests.integration.origin import SEEDS, Origin, Page
from tests.integration.process import BrokerProcess, ServiceProcess, service_env
from tests.integration.topics import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

URLS = 40
IN_FLIGHT = 16  # NEWSINGEST_RUNNER_MAX_IN_FLIGHT of each stage
DRAIN_S = 20.0  # NEWSINGEST_RUNNER_DRAIN_TIMEOUT_S, the default


@pytest.fixture
async def slow_origin() -> AsyncIterator[Origin]:
    bodies = [p.read_bytes() for p in SEEDS]
    pages = {
        f"/story/{n}.txt": Page(bodies[n % len(bodies)], "text/plain; charset=utf-8")
        for n in range(URLS)
    }
    async with Origin(pages, delay_s=0.5) as origin:
        yield origin


@pytest.fixture
async def broker_apart() -> AsyncIterator[str | None]:
    """The bootstrap address of a `newsingest broker` process; None with an external Kafka."""
    if os.environ.get("NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS"):
        yield None
        return
    broker = await BrokerProcess(free_port()).start()
    try:
        yield broker.bootstrap_servers
    finally:
        assert await broker.stop() == 0


async def test_sigterm_in_flight_then_restart_loses_nothing(
    make_settings: SettingsFactory, slow_origin: Origin, broker_apart: str | None
) -> None:
    settings = make_settings()
    if broker_apart is not None:
        kafka = settings.kafka.model_copy(update={"bootstrap_servers": broker_apart})
        settings = settings.model_copy(update={"kafka": kafka})
    topics = settings.topics
    env = service_env(
        settings,
        NEWSINGEST_FETCH_ALLOW=slow_origin.allow,
        NEWSINGEST_FETCH_HOST_DELAY_S="0",
        NEWSINGEST_FETCH_MAX_PER_HOST="4",
        NEWSINGEST_ENRICH_WORKERS="1",
        NEWSINGEST_RUNNER_MAX_IN_FLIGHT=str(IN_FLIGHT),
        NEWSINGEST_RUNNER_DRAIN_TIMEOUT_S=str(DRAIN_S),
    )
    submitted = [url_record(slow_origin.url(path), "cli") for path in slow_origin.pages]
    async with Cluster(settings) as cluster:
        async with Publisher(cluster.producer("test"), Metrics()) as publisher:
            await publisher.publish([url_output(u, topics) for u in submitted])

        first = await ServiceProcess(env, "--stages", "fetch,enrich").start()
        await read_topic(cluster, topics.articles, 5, within_s=60)  # work is under way
        terminated_at = time.monotonic()
        assert await first.terminate(within_s=DRAIN_S + 10) == 0
        exit_s = time.monotonic() - terminated_at

        # What the first run finished, against what its groups committed.
        urls, pages = await read_all(cluster, topics.urls), await read_all(cluster, topics.pages)
        articles = await read_all(cluster, topics.articles)
        assert len(set(url_ids(articles))) < URLS  # work was in flight at SIGTERM
        fetched, fetch_committed = finished_vs_committed(
            urls, set(url_ids(pages)), await committed(cluster, "fetch", topics.urls)
        )
        enriched, enrich_committed = finished_vs_committed(
            pages, set(url_ids(articles)), await committed(cluster, "enrich", topics.pages)
        )
        assert fetched == fetch_committed
        assert enriched == enrich_committed
        pages_at_exit = len(pages)

        second = await ServiceProcess(env, "--stages", "fetch,enrich").start()
        restarted_at = time.monotonic()
        try:
            await read_topic(cluster, topics.articles, URLS, within_s=90, distinct=True)
            recover_s = time.monotonic() - restarted_at
            await read_topic(cluster, topics.pages, URLS, within_s=30, distinct=True)
        finally:
            assert await second.terminate() == 0
        pages, articles = (
            await read_all(cluster, topics.pages),
            await read_all(cluster, topics.articles),
        )

    lost = {u.url_id for u in submitted} - set(url_ids(articles))
    redone = duplicates(pages) + duplicates(articles)
    print(
        f"\nSIGTERM: exit 0 in {exit_s:.1f} s; committed at exit: {len(fetched)}/{URLS} fetched, "
        f"{len(enriched)}/{pages_at_exit} enriched (all that finished); after restart: "
        f"{len(lost)} lost, {redone} duplicates, all done {recover_s:.1f} s after restart"
    )
    assert not lost
    assert redone <= IN_FLIGHT  # only work cut off at the drain deadline is redone
