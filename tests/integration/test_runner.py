"""The runner against a real broker, with handlers that know nothing of articles."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TypeVar

import orjson
import pytest
import structlog
import structlog.testing
from aiokafka import AIOKafkaConsumer, TopicPartition

from newsingest.broker import Cluster
from newsingest.broker.publisher import Outgoing, Publisher
from newsingest.config import EnrichSettings, RunnerSettings, Settings
from newsingest.enrich import Enricher, WorkerPool, warm_up
from newsingest.errors import NewsingestError
from newsingest.metrics import Metrics
from newsingest.pipeline import enrich_handler
from newsingest.records import PageRecord, encode, stable_id, utc_now
from newsingest.runner import Message
from tests.conftest import SettingsFactory, unique_topics
from tests.integration.origin import SEEDS
from tests.integration.stage import make_runner, run_while
from tests.integration.topics import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

T = TypeVar("T")
LONG_TEXT = "\n\n".join([SEEDS[0].read_text(encoding="utf-8")] * 40)  # far over 5 ms to enrich


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
            await run_while(make_runner(cluster, settings, handler, publisher, "s1"), done.wait())
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


async def test_in_flight_is_bounded_and_the_partition_paused_meanwhile(
    make_settings: SettingsFactory,
) -> None:
    settings = make_settings(runner=RunnerSettings(max_in_flight_per_partition=3, max_in_flight=3))
    release = asyncio.Event()
    bound_full = asyncio.Event()
    active = 0
    peak = 0
    seen = 0
    metrics = Metrics()

    async def handler(message: Message) -> Sequence[Outgoing]:
        nonlocal active, peak, seen
        active += 1
        seen += 1
        peak = max(peak, active)
        if seen == 3:
            bound_full.set()
        await release.wait()
        active -= 1
        return [Outgoing(settings.topics.pages, message.value or b"", key=message.key)]

    async def scenario() -> tuple[float, list[Message]]:
        await asyncio.wait_for(bound_full.wait(), 20)
        await asyncio.sleep(0.5)  # time for more to start, were the bound not held
        paused = metrics.registry.get_sample_value("newsingest_paused_partitions", {"stage": "s3"})
        release.set()
        return paused or 0.0, await read_topic(cluster, settings.topics.pages, 30)

    async with (
        Cluster(settings) as cluster,
        Publisher(cluster.producer("p"), Metrics()) as publisher,
    ):
        await publisher.publish(
            [Outgoing(settings.topics.urls, b"%d" % n, key=b"one-key") for n in range(30)]
        )
        runner = make_runner(cluster, settings, handler, publisher, "s3", metrics)
        paused, outputs = await run_while(runner, scenario())
    assert peak == 3
    assert paused == 1
    assert sorted(int(m.value or b"") for m in outputs) == list(range(30))


async def _committed_per_partition(cluster: Cluster, stage: str, topic: str) -> dict[int, int]:
    consumer: AIOKafkaConsumer = cluster.consumer("probe", group=stage)
    await consumer.start()
    try:
        return {
            tp.partition: await consumer.committed(tp) or 0
            for tp in consumer_cluster_partitions(consumer, topic)
        }
    finally:
        await consumer.stop()


def _numbered(topic: str, numbers: Sequence[int]) -> list[Outgoing]:
    """Records {"n": n}, all with one key: one partition, in this order."""
    return [Outgoing(topic, orjson.dumps({"n": n}), key=b"k") for n in numbers]


def _n(message: Message) -> int:
    n: int = orjson.loads(message.value or b"{}")["n"]
    return n


async def test_a_retry_waits_its_backoff_while_the_partition_goes_on(
    make_settings: SettingsFactory,
) -> None:
    # One record in flight per partition: a backoff that held its slot would stop the rest.
    settings = make_settings(
        runner=RunnerSettings(
            max_in_flight_per_partition=1,
            max_attempts=2,
            retry_backoff_s=4.0,
            retry_backoff_max_s=4.0,
        )
    )
    tries: list[float] = []
    others_done: list[float] = []

    async def handler(message: Message) -> Sequence[Outgoing]:
        if _n(message) == 0:
            tries.append(time.monotonic())
            if message.attempts == 1:
                raise NewsingestError("flaky", reason="test_flaky", retriable=True)
        else:
            others_done.append(time.monotonic())
        return [Outgoing(settings.topics.pages, message.value or b"", key=message.key)]

    async with (
        Cluster(settings) as cluster,
        Publisher(cluster.producer("p"), Metrics()) as publisher,
    ):
        await publisher.publish(_numbered(settings.topics.urls, range(11)))
        runner = make_runner(cluster, settings, handler, publisher, "s4")
        await run_while(runner, read_topic(cluster, settings.topics.pages, 11))
    assert len(tries) == 2
    assert tries[1] - tries[0] >= 2.0  # 4 s, jittered down by at most half
    assert len(others_done) == 10
    assert max(others_done) - tries[0] < 2.0  # the rest did not wait for it


async def test_a_retry_backing_off_is_abandoned_at_stop_and_redelivered(
    make_settings: SettingsFactory,
) -> None:
    settings = make_settings(
        runner=RunnerSettings(max_attempts=3, retry_backoff_s=30.0, retry_backoff_max_s=30.0)
    )
    topics = settings.topics
    attempts_seen: list[int] = []
    failed = asyncio.Event()
    failing = True

    async def handler(message: Message) -> Sequence[Outgoing]:
        if _n(message) == 0:
            attempts_seen.append(message.attempts)
            if failing:
                failed.set()
                raise NewsingestError("down", reason="test_down", retriable=True)
        return [Outgoing(topics.pages, message.value or b"", key=message.key)]

    async with (
        Cluster(settings) as cluster,
        Publisher(cluster.producer("p"), Metrics()) as publisher,
    ):
        await publisher.publish(_numbered(topics.urls, (0, 1)))
        stop = asyncio.Event()
        metrics = Metrics()
        task = asyncio.create_task(
            make_runner(cluster, settings, handler, publisher, "s5", metrics).run(stop)
        )
        await asyncio.wait_for(failed.wait(), 30)
        await read_topic(cluster, topics.pages, 1)  # the record behind it is done
        waiting = metrics.registry.get_sample_value("newsingest_retries_waiting", {"stage": "s5"})
        stop.set()
        stopped_at = time.monotonic()
        await task
        stop_took = time.monotonic() - stopped_at
        assert waiting == 1
        assert metrics.registry.get_sample_value("newsingest_retries_waiting", {"stage": "s5"}) == 0

        # The retry never left, and nothing from the waiting record on was committed.
        with pytest.raises(TimeoutError):
            await read_topic(cluster, topics.urls, 3, within_s=1)
        partition = (await read_topic(cluster, topics.urls, 2))[0].partition
        assert (await _committed_per_partition(cluster, "s5", topics.urls))[partition] == 0

        failing = False
        second = make_runner(cluster, settings, handler, publisher, "s5")
        await run_while(second, read_topic(cluster, topics.pages, 2))
    assert stop_took < 5.0  # neither the 30 s backoff nor the 20 s drain deadline
    assert attempts_seen == [1, 1]  # redelivered as it was


def _lag(metrics: Metrics, stage: str, topic: str, partitions: int) -> list[float] | None:
    """The lag gauge of every partition, or None while one is not reported yet."""
    samples = [
        metrics.registry.get_sample_value(
            "newsingest_consumer_lag", {"stage": stage, "topic": topic, "partition": str(p)}
        )
        for p in range(partitions)
    ]
    return None if None in samples else [s or 0.0 for s in samples]


async def test_lag_after_a_restart_counts_from_the_group_committed_offsets(
    make_settings: SettingsFactory,
) -> None:
    settings = make_settings(runner=RunnerSettings(drain_timeout_s=1.0))
    topics = settings.topics

    async def passes(message: Message) -> Sequence[Outgoing]:
        return [Outgoing(topics.pages, message.value or b"", key=message.key)]

    async def stuck(message: Message) -> Sequence[Outgoing]:
        await asyncio.Event().wait()
        raise AssertionError("never released")

    async def all_committed(cluster: Cluster, count: int) -> None:
        while True:
            if sum((await _committed_per_partition(cluster, "s6", topics.urls)).values()) >= count:
                return
            await asyncio.sleep(0.2)

    async def lag_reported(metrics: Metrics) -> list[float]:
        while True:
            if (lag := _lag(metrics, "s6", topics.urls, topics.partitions)) is not None:
                return lag
            await asyncio.sleep(0.2)

    async with Cluster(settings) as cluster:
        await _produce(cluster, topics.urls, [b"%d" % n for n in range(30)])
        async with Publisher(cluster.producer("runner"), Metrics()) as publisher:
            first = make_runner(cluster, settings, passes, publisher, "s6")
            await run_while(first, all_committed(cluster, 30))
            await _produce(cluster, topics.urls, [b"late"] * 5)  # left for the next run
            metrics = Metrics()
            restarted = make_runner(cluster, settings, stuck, publisher, "s6", metrics)
            lag = await run_while(restarted, lag_reported(metrics))
    assert sum(lag) == 5  # not 35: what the first run committed is not lag


async def test_every_log_line_of_a_record_says_where_it_came_from(
    make_settings: SettingsFactory,
) -> None:
    settings = make_settings(runner=RunnerSettings(max_attempts=1))
    log = structlog.get_logger("test")

    async def handler(message: Message) -> Sequence[Outgoing]:
        log.info("handling", n=_n(message))  # before binding: no id of an earlier record
        structlog.contextvars.bind_contextvars(url_id=f"u{_n(message)}")
        if _n(message) == 1:
            raise NewsingestError("bad", reason="test_bad")
        return [Outgoing(settings.topics.pages, message.value or b"", key=message.key)]

    merge = structlog.contextvars.merge_contextvars
    with structlog.testing.capture_logs(processors=[merge]) as logs:
        async with (
            Cluster(settings) as cluster,
            Publisher(cluster.producer("p"), Metrics()) as publisher,
        ):
            await publisher.publish(_numbered(settings.topics.urls, range(4)))
            runner = make_runner(cluster, settings, handler, publisher, "s7")
            await run_while(runner, read_topic(cluster, settings.topics.dlq, 1))
            inputs = {m.offset: m for m in await read_topic(cluster, settings.topics.urls, 4)}
    handling = [e for e in logs if e["event"] == "handling"]
    assert sorted(e["n"] for e in handling) == [0, 1, 2, 3]
    for event in handling:
        source = inputs[event["offset"]]
        assert _n(source) == event["n"]
        assert (event["stage"], event["topic"], event["partition"]) == (
            "s7",
            settings.topics.urls,
            source.partition,
        )
        assert "url_id" not in event
    (dead,) = [e for e in logs if e["event"] == "record dead-lettered"]
    assert (dead["stage"], dead["url_id"], dead["reason"]) == ("s7", "u1", "test_bad")
    assert _n(inputs[dead["offset"]]) == 1


async def test_an_enrich_record_past_its_deadline_is_retried_then_dead_lettered(
    make_settings: SettingsFactory,
) -> None:
    settings = make_settings(
        runner=RunnerSettings(max_attempts=3, retry_backoff_s=0.1, retry_backoff_max_s=0.2)
    )
    url = "https://example.com/long.txt"
    page = PageRecord(
        url_id=stable_id(url),
        url=url,
        final_url=url,
        status=200,
        fetched_at=utc_now(),
        content_type="text/plain",
        charset="utf-8",
        body=LONG_TEXT,
    )
    metrics = Metrics()
    async with (
        Cluster(settings) as cluster,
        Publisher(cluster.producer("p"), Metrics()) as publisher,
        WorkerPool(1, metrics, initializer=warm_up) as pool,
    ):
        enricher = Enricher(pool, EnrichSettings(workers=1, timeout_s=0.005), metrics)
        await publisher.publish([Outgoing(settings.topics.urls, encode(page), key=b"k")])
        handler = enrich_handler(enricher, settings.topics)
        runner = make_runner(cluster, settings, handler, publisher, "s8", metrics)
        (dead,) = await run_while(runner, read_topic(cluster, settings.topics.dlq, 1), 60)
    record = orjson.loads(dead.value or b"")
    assert (record["reason"], record["attempts"], record["url_id"]) == (
        "extract_timeout",
        3,
        page.url_id,
    )
    assert metrics.registry.get_sample_value("newsingest_retries_total", {"stage": "s8"}) == 2


async def _until_committed(cluster: Cluster, stage: str, topic: str, offset: int) -> None:
    while True:
        if (await _committed_per_partition(cluster, stage, topic)).get(0) == offset:
            return
        await asyncio.sleep(0.1)


async def test_a_key_at_its_bound_waits_without_slots_and_the_keys_behind_it_go_on(
    make_settings: SettingsFactory,
) -> None:
    # One partition: 40 records of key a (all but the first block), then 10 of key b.
    settings = make_settings(topics=unique_topics(1), runner=RunnerSettings(commit_interval_s=0.1))
    topics = settings.topics
    release = asyncio.Event()
    a_active = 0
    a_peak = 0
    metrics = Metrics()

    async def handler(message: Message) -> Sequence[Outgoing]:
        nonlocal a_active, a_peak
        if message.key == b"a":
            a_active += 1
            a_peak = max(a_peak, a_active)
            try:
                if _n(message) > 0:
                    await release.wait()
            finally:
                a_active -= 1
        return [Outgoing(topics.pages, message.value or b"", key=message.key)]

    def gauge(name: str) -> float | None:
        return metrics.registry.get_sample_value(name, {"stage": "s9"})

    async def scenario() -> tuple[list[Message], float | None, float | None, list[Message]]:
        early = await read_topic(cluster, topics.pages, 11)  # a's first and all of b
        # The first unfinished record (a at offset 1) holds the commit back.
        await _until_committed(cluster, "s9", topics.urls, 1)
        await asyncio.sleep(0.5)  # time for more to start or commit, were the bound not held
        in_flight, paused = gauge("newsingest_in_flight"), gauge("newsingest_paused_partitions")
        assert (await _committed_per_partition(cluster, "s9", topics.urls))[0] == 1
        release.set()
        everything = await read_topic(cluster, topics.pages, 50)
        await _until_committed(cluster, "s9", topics.urls, 50)
        return early, in_flight, paused, everything

    async with (
        Cluster(settings) as cluster,
        Publisher(cluster.producer("p"), Metrics()) as publisher,
    ):
        await publisher.publish(
            [Outgoing(topics.urls, orjson.dumps({"n": n}), key=b"a") for n in range(40)]
            + [Outgoing(topics.urls, orjson.dumps({"n": n}), key=b"b") for n in range(40, 50)]
        )
        runner = make_runner(
            cluster, settings, handler, publisher, "s9", metrics, max_in_flight_per_key=2
        )
        early, in_flight, paused, everything = await run_while(runner, scenario())
    assert sorted(_n(m) for m in early) == [0, *range(40, 50)]
    assert a_peak == 2
    assert in_flight == 2  # the 37 a's waiting hold no slot
    assert not paused  # their backlog is far from full: b's could still come
    assert sorted(_n(m) for m in everything) == list(range(50))


async def test_a_partition_pauses_when_its_backlog_is_full_and_resumes_as_it_drains(
    make_settings: SettingsFactory,
) -> None:
    settings = make_settings(
        topics=unique_topics(1), runner=RunnerSettings(max_backlog_per_partition=5)
    )
    topics = settings.topics
    release = asyncio.Event()
    started = asyncio.Event()
    metrics = Metrics()

    async def handler(message: Message) -> Sequence[Outgoing]:
        started.set()
        await release.wait()
        return [Outgoing(topics.pages, message.value or b"", key=message.key)]

    async def scenario() -> tuple[float | None, float | None, list[Message]]:
        await asyncio.wait_for(started.wait(), 20)
        await asyncio.sleep(0.5)
        labels = {"stage": "s10"}
        paused = metrics.registry.get_sample_value("newsingest_paused_partitions", labels)
        in_flight = metrics.registry.get_sample_value("newsingest_in_flight", labels)
        release.set()
        return paused, in_flight, await read_topic(cluster, topics.pages, 30)

    async with (
        Cluster(settings) as cluster,
        Publisher(cluster.producer("p"), Metrics()) as publisher,
    ):
        await publisher.publish(_numbered(topics.urls, range(30)))
        runner = make_runner(
            cluster, settings, handler, publisher, "s10", metrics, max_in_flight_per_key=1
        )
        paused, in_flight, outputs = await run_while(runner, scenario())
        labels = {"stage": "s10"}
        paused_after = metrics.registry.get_sample_value("newsingest_paused_partitions", labels)
    assert (paused, in_flight) == (1, 1)  # one of key k in flight, 29 waiting: full
    assert paused_after == 0
    assert sorted(_n(m) for m in outputs) == list(range(30))
