"""The broker freezes for 20 s mid-run (SIGSTOP/SIGCONT on its own process): the stage
process survives, readiness reports the outage while liveness holds, nothing is lost."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from newsingest.broker import Cluster, EmbeddedBroker, free_port
from newsingest.broker.publisher import Publisher
from newsingest.config import KafkaSettings
from newsingest.metrics import Metrics
from newsingest.pipeline import url_output
from newsingest.urls import url_record
from tests.conftest import SettingsFactory
from tests.integration.origin import SEEDS, Origin, Page
from tests.integration.process import ServiceProcess, service_env
from tests.integration.topics import read_topic, values

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(240),
    pytest.mark.skipif(
        bool(os.environ.get("NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS")),
        reason="freezes a broker process of its own; an external Kafka cannot be frozen here",
    ),
]

URLS = 200
OUTAGE_S = 20.0


@pytest.fixture
def own_broker() -> Iterator[EmbeddedBroker]:
    broker = EmbeddedBroker()
    broker.start_sync()
    try:
        yield broker
    finally:
        if broker.pid:
            os.kill(broker.pid, signal.SIGCONT)
        broker.stop_sync()


@pytest.fixture
async def origin() -> AsyncIterator[Origin]:
    bodies = [p.read_bytes() for p in SEEDS]
    pages = {
        f"/story/{n}.txt": Page(bodies[n % len(bodies)], "text/plain; charset=utf-8")
        for n in range(URLS)
    }
    async with Origin(pages, delay_s=0.2) as server:
        yield server


async def _status(client: httpx.AsyncClient, path: str) -> int | None:
    try:
        return (await client.get(path, timeout=3)).status_code
    except httpx.HTTPError:
        return None


async def _becomes_ready(client: httpx.AsyncClient, attempts: int = 60) -> bool:
    for _ in range(attempts):
        if await _status(client, "/readyz") == 200:
            return True
        await asyncio.sleep(0.5)
    return False


async def test_broker_frozen_for_20_seconds_loses_nothing(
    make_settings: SettingsFactory, own_broker: EmbeddedBroker, origin: Origin
) -> None:
    settings = make_settings(
        kafka=KafkaSettings(
            bootstrap_servers=own_broker.bootstrap_servers,
            idempotence=False,
            session_timeout_ms=6_000,
            fetch_max_wait_ms=100,
            request_timeout_ms=10_000,
        )
    )
    api_port = free_port()
    env = service_env(
        settings,
        NEWSINGEST_FETCH_ALLOW=origin.allow,
        NEWSINGEST_FETCH_HOST_DELAY_S="0",
        NEWSINGEST_FETCH_MAX_PER_HOST="4",
        NEWSINGEST_ENRICH_WORKERS="1",
        NEWSINGEST_API_PORT=str(api_port),
        NEWSINGEST_KAFKA_REQUEST_TIMEOUT_MS="10000",
    )
    submitted = [url_record(origin.url(path), "cli") for path in origin.pages]
    async with Cluster(settings) as cluster:
        async with Publisher(cluster.producer("test"), Metrics()) as publisher:
            await publisher.publish([url_output(u, settings.topics) for u in submitted])
        service = await ServiceProcess(env, "--stages", "fetch,enrich").start()
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api_port}") as client:
                await read_topic(cluster, settings.topics.articles, 20, within_s=60)
                assert await _status(client, "/readyz") == 200

                assert own_broker.pid is not None
                os.kill(own_broker.pid, signal.SIGSTOP)
                frozen_at = time.monotonic()
                readiness, liveness = set(), set()
                while time.monotonic() - frozen_at < OUTAGE_S:
                    readiness.add(await _status(client, "/readyz"))
                    liveness.add(await _status(client, "/healthz"))
                    await asyncio.sleep(0.5)
                os.kill(own_broker.pid, signal.SIGCONT)

                assert 503 in readiness  # the outage was visible to Kubernetes
                assert liveness == {200}  # and no restart was asked for
                assert service.running
                recovered_at = time.monotonic()
                done = await read_topic(
                    cluster, settings.topics.articles, URLS, within_s=120, distinct=True
                )
                print(
                    f"\nbroker outage {OUTAGE_S:g} s: recovered all in "
                    f"{time.monotonic() - recovered_at:.1f} s after SIGCONT"
                )
                assert await _becomes_ready(client)
        finally:
            assert await service.terminate() == 0
    assert {a["url_id"] for a in values(done)} == {u.url_id for u in submitted}
