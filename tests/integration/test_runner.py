"""The runner against a real broker, with handlers that know nothing of articles."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import TypeVar

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from newsingest.broker import Cluster
from newsingest.broker.publisher import Outgoing, Publisher
from newsingest.config import RunnerSettings, Settings
from newsingest.errors import NewsingestError
from newsingest.metrics import Metrics
from newsingest.runner import Handler, Message, StageRunner
from tests.conftest import SettingsFactory
from tests.integration.topics import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

T = TypeVar("T")


async def _produce(cluster: Cluster, topic: str, values: Sequence[bytes]) -> None:
    async with Publisher(cluster.producer("test"), Metrics()) as publisher:
        await publisher.publish(
            [Outgoing(topic, v, key=str(i % 7).encode()) for i, v in enumerate(values)]
        )


async def _committed(consumer_cluster: Cluster, settings: Settings, stage: str, topic: str) -> int:
    consumer: AIOKafkaConsumer = consumer_cluster.consumer("probe", group=stage)
    await consumer.start()
    try:
        partitions = consumer_cluster_partitions(consumer, topic)
        total = 0
        for tp in partitions:
            total += await consumer.committed(tp) or 0
        return total
    finally:
        await consumer.stop()


def consumer_cluster_partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    return [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]


async def _run_while(runner: StageRunner, condition: Awaitable[T], within_s: float = 30) -> T:
    """Run the stage until ``condition`` is done; then stop it as SIGTERM would."""
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        async with asyncio.timeout(within_s):
            return await condition
    finally:
        stop.set()
        await task


def _runner(
    cluster: Cluster, settings: Settings, handler: Handler, publisher: Publisher, stage: str
) -> StageRunner:
    return StageRunner(
        stage=stage,
        consumer=cluster.consumer(stage, group=stage),
        topics=[settings.topics.urls],
        handler=handler,
        publisher=publisher,
        dlq_topic=settings.topics.dlq,
        settings=settings.runner,
        metrics=Metrics(),
        service_version="test",
    )


async def test_every_input_is_output_or_dead_lettered_and_offsets_committed(
    make_settings: SettingsFactory,
) -> None:
    settings = make_settings(
        runner=RunnerSettings(max_in_flight_per_partition=4, commit_interval_s=0.2, max_attempts=2)
    )
    values = [orjson.dumps({"n": n}) for n in range(60)]
    done = asyncio.Event()
    handled: set[int] = set()

    async def handler(message: Message) -> Sequence[Outgoing]:
        n = orjson.loads(message.value or b"{}")["n"]
        await asyncio.sleep(0.01 * (n % 5))  # complete out of order
        handled.add(n)
        if len(handled) == 60:
            done.set()
        if n % 10 == 0:
            raise NewsingestError(f"bad record {n}", reason="test_bad")
        return [Outgoing(settings.topics.pages, orjson.dumps({"out": n}), key=message.key)]

    async with Cluster(settings) as cluster:
        await _produce(cluster, settings.topics.urls, values)
        async with Publisher(cluster.producer("runner"), Metrics()) as publisher:
            await _run_while(_runner(cluster, settings, handler, publisher, "s1"), done.wait())
        outputs = await read_topic(cluster, settings.topics.pages, 54)
        dead = await read_topic(cluster, settings.topics.dlq, 6)
        assert sorted(orjson.loads(m.value or b"")["out"] for m in outputs) == [
            n for n in range(60) if n % 10
        ]
        reasons = {orjson.loads(m.value or b"")["reason"] for m in dead}
        assert reasons == {"test_bad"}
        originals = sorted(
            orjson.loads(orjson.loads(m.value or b"")["original"]["value"])["n"] for m in dead
        )
        assert originals == [0, 10, 20, 30, 40, 50]
        assert await _committed(cluster, settings, "s1", settings.topics.urls) == 60


async def test_retriable_failure_is_retried_then_dead_lettered_and_partition_moves_on(
    make_settings: SettingsFactory,
) -> None:
    settings = make_settings(
        runner=RunnerSettings(max_attempts=3, processing_timeout_s=0.3, commit_interval_s=0.2)
    )
    seen_attempts: list[int] = []
    later_done = asyncio.Event()

    async def handler(message: Message) -> Sequence[Outgoing]:
        body = orjson.loads(message.value or b"{}")
        if body["n"] == 0:
            seen_attempts.append(message.attempts)
            await asyncio.sleep(5)  # always past the deadline
        else:
            later_done.set()
        return [Outgoing(settings.topics.pages, message.value or b"", key=message.key)]

    async with Cluster(settings) as cluster:
        # Same key: same partition; the poison record comes first.
        async with Publisher(cluster.producer("p"), Metrics()) as publisher:
            await publisher.publish(
                [Outgoing(settings.topics.urls, orjson.dumps({"n": n}), key=b"k") for n in (0, 1)]
            )
            runner = _runner(cluster, settings, handler, publisher, "s2")
            dead = await _run_while(runner, read_topic(cluster, settings.topics.dlq, 1))
        assert later_done.is_set()
        record = orjson.loads(dead[0].value or b"")
        assert seen_attempts == [1, 2, 3]
        assert record["reason"] == "processing_timeout"
        assert record["attempts"] == 3
        assert dict(dead[0].headers)["newsingest-attempts"] == b"3"
