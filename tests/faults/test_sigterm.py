"""`newsingest run` as a real process against a broker started apart: SIGTERM with
records in flight exits 0, and a restart loses nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from newsingest.broker import Cluster
from newsingest.broker.publisher import Publisher
from newsingest.metrics import Metrics
from newsingest.pipeline import url_output
from newsingest.urls import url_record
from tests.conftest import SettingsFactory
from tests.integration.origin import SEEDS, Origin, Page
from tests.integration.process import ServiceProcess, service_env
from tests.integration.topics import read_topic, values

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

URLS = 40


@pytest.fixture
async def slow_origin() -> AsyncIterator[Origin]:
    bodies = [p.read_bytes() for p in SEEDS]
    pages = {
        f"/story/{n}.txt": Page(bodies[n % len(bodies)], "text/plain; charset=utf-8")
        for n in range(URLS)
    }
    async with Origin(pages, delay_s=0.5) as origin:
        yield origin


async def test_sigterm_in_flight_then_restart_loses_nothing(
    make_settings: SettingsFactory, slow_origin: Origin
) -> None:
    settings = make_settings()
    topics = settings.topics
    env = service_env(
        settings,
        NEWSINGEST_FETCH_ALLOW=slow_origin.allow,
        NEWSINGEST_FETCH_HOST_DELAY_S="0",
        NEWSINGEST_FETCH_MAX_PER_HOST="4",
        NEWSINGEST_ENRICH_WORKERS="1",
    )
    submitted = [url_record(slow_origin.url(path), "cli") for path in slow_origin.pages]
    async with Cluster(settings) as cluster:
        async with Publisher(cluster.producer("test"), Metrics()) as publisher:
            await publisher.publish([url_output(u, topics) for u in submitted])

        first = await ServiceProcess(env, "--stages", "fetch,enrich").start()
        await read_topic(cluster, topics.articles, 5, within_s=60)  # work is under way
        assert await first.terminate() == 0
        with pytest.raises(TimeoutError):  # not all were done: work was in flight at SIGTERM
            await read_topic(cluster, topics.articles, URLS, within_s=2, distinct=True)

        second = await ServiceProcess(env, "--stages", "fetch,enrich").start()
        try:
            done = await read_topic(cluster, topics.articles, URLS, within_s=90, distinct=True)
        finally:
            assert await second.terminate() == 0

    assert {a["url_id"] for a in values(done)} == {u.url_id for u in submitted}
