"""`newsingest run` as a real process against a broker started apart: SIGTERM with
records in flight exits 0, and a restart loses nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from newsingest.broker import Cluster
from newsingest.broker.publisher import Publisher
from newsingest.metrics import Metrics
from newsingest.pipeline import url_output
from newsingest.urls import url_record
from tests.conftest import SettingsFactory
from tests.integration.origin import SEEDS, Origin, Page
from tests.integration.topics import read_topic, values

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

URLS = 40
NEWSINGEST = str(Path(sys.executable).with_name("newsingest"))


@pytest.fixture
async def slow_origin() -> AsyncIterator[Origin]:
    bodies = [p.read_bytes() for p in SEEDS]
    pages = {
        f"/story/{n}.txt": Page(bodies[n % len(bodies)], "text/plain; charset=utf-8")
        for n in range(URLS)
    }
    async with Origin(pages, delay_s=0.5) as origin:
        yield origin


def _environment(settings_env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSINGEST_")}
    env.update(settings_env)
    return env


async def _start(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        NEWSINGEST,
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def _terminate(process: asyncio.subprocess.Process) -> int:
    process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(30):
        return await process.wait()


async def test_sigterm_in_flight_then_restart_loses_nothing(
    make_settings: SettingsFactory, slow_origin: Origin
) -> None:
    settings = make_settings()
    topics, kafka = settings.topics, settings.kafka
    env = _environment(
        {
            "NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers or "",
            "NEWSINGEST_KAFKA_IDEMPOTENCE": str(kafka.idempotence).lower(),
            "NEWSINGEST_KAFKA_GROUP_PREFIX": kafka.group_prefix,
            "NEWSINGEST_TOPICS_URLS": topics.urls,
            "NEWSINGEST_TOPICS_PAGES": topics.pages,
            "NEWSINGEST_TOPICS_ARTICLES": topics.articles,
            "NEWSINGEST_TOPICS_STRIKES": topics.strikes,
            "NEWSINGEST_TOPICS_DLQ": topics.dlq,
            "NEWSINGEST_TOPICS_SEEN": topics.seen,
            "NEWSINGEST_TOPICS_INCIDENTS": topics.incidents,
            "NEWSINGEST_FETCH_ALLOW": slow_origin.allow,
            "NEWSINGEST_FETCH_HOST_DELAY_S": "0",
            "NEWSINGEST_FETCH_MAX_PER_HOST": "4",
            "NEWSINGEST_ENRICH_WORKERS": "1",
            "NEWSINGEST_API_PORT": "0",
            "NEWSINGEST_RUNNER_COMMIT_INTERVAL_S": "0.2",
            "NEWSINGEST_LOG_FORMAT": "json",
        }
    )
    if kafka.session_timeout_ms:
        env["NEWSINGEST_KAFKA_SESSION_TIMEOUT_MS"] = str(kafka.session_timeout_ms)
    submitted = [url_record(slow_origin.url(path), "cli") for path in slow_origin.pages]
    async with Cluster(settings) as cluster:
        async with Publisher(cluster.producer("test"), Metrics()) as publisher:
            await publisher.publish([url_output(u, topics) for u in submitted])

        first = await _start(env)
        await read_topic(cluster, topics.articles, 5, within_s=60)  # work is under way
        assert await _terminate(first) == 0
        with pytest.raises(TimeoutError):  # not all were done: work was in flight at SIGTERM
            await read_topic(cluster, topics.articles, URLS, within_s=2, distinct=True)

        second = await _start(env)
        try:
            done = await read_topic(cluster, topics.articles, URLS, within_s=90, distinct=True)
            articles = values(done)
        finally:
            assert await _terminate(second) == 0

    ended = {a["url_id"] for a in articles}
    assert ended == {u.url_id for u in submitted}
