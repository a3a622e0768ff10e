"""Kill -9 stage processes three times during a 1,000-URL run: nothing is lost, and the
duplicates a consumer sees are few and carry the same article_id."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

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

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

URLS = 1000
ORIGINS = 4  # four hosts: URLs spread over several partitions
IN_FLIGHT = 24  # NEWSINGEST_RUNNER_MAX_IN_FLIGHT of each stage process
KILLS = 3


@pytest.fixture
async def origins() -> AsyncIterator[list[Origin]]:
    bodies = [p.read_bytes() for p in SEEDS]
    async with AsyncExitStack() as stack:
        servers = []
        for o in range(ORIGINS):
            pages = {
                f"/{o}/story/{n}.txt": Page(bodies[n % len(bodies)], "text/plain; charset=utf-8")
                for n in range(URLS // ORIGINS)
            }
            servers.append(await stack.enter_async_context(Origin(pages, delay_s=0.02)))
        yield servers


async def test_kill_minus_nine_three_times_loses_nothing(
    make_settings: SettingsFactory, origins: list[Origin]
) -> None:
    settings = make_settings()
    topics = settings.topics
    env = service_env(
        settings,
        NEWSINGEST_FETCH_ALLOW=",".join(o.allow for o in origins),
        NEWSINGEST_FETCH_HOST_DELAY_S="0",
        NEWSINGEST_FETCH_MAX_PER_HOST="8",
        NEWSINGEST_ENRICH_WORKERS="1",
        NEWSINGEST_RUNNER_MAX_IN_FLIGHT=str(IN_FLIGHT),
        NEWSINGEST_RUNNER_MAX_IN_FLIGHT_PER_PARTITION="8",
        NEWSINGEST_RUNNER_COMMIT_INTERVAL_S="0",
    )
    submitted = [url_record(o.url(path), "cli") for o in origins for path in o.pages]
    assert len(submitted) == URLS
    async with Cluster(settings) as cluster:
        async with Publisher(cluster.producer("test"), Metrics()) as publisher:
            await publisher.publish([url_output(u, topics) for u in submitted])

        stages = {
            "fetch": await ServiceProcess(env, "--stages", "fetch").start(),
            "enrich": await ServiceProcess(env, "--stages", "enrich").start(),
        }
        try:
            for kill, victim in enumerate(("enrich", "fetch", "enrich"), 1):
                # Strike while work flows: after a growing share of the articles exist.
                await read_topic(cluster, topics.articles, kill * URLS // 5, within_s=120)
                await stages[victim].kill()
                stages[victim] = await ServiceProcess(env, "--stages", victim).start()
            done = await read_topic(cluster, topics.articles, URLS, within_s=180, distinct=True)
            await asyncio.sleep(2)  # let stragglers in flight at the end arrive too
            done = await read_topic(cluster, topics.articles, len(done), within_s=30)
        finally:
            for stage in stages.values():
                assert await stage.terminate() == 0

    articles = values(done)
    assert {a["url_id"] for a in articles} == {u.url_id for u in submitted}  # 0 lost
    per_url = Counter(a["url_id"] for a in articles)
    duplicates = sum(n - 1 for n in per_url.values())
    print(f"\nkill -9 x{KILLS}: {URLS} URLs, 0 lost, {duplicates} duplicate articles")
    assert duplicates <= IN_FLIGHT * KILLS  # a kill replays at most what was in flight
    ids_per_url: dict[str, set[str]] = {}
    for article in articles:
        ids_per_url.setdefault(article["url_id"], set()).add(article["article_id"])
    assert all(len(ids) == 1 for ids in ids_per_url.values())  # a duplicate is the same record
