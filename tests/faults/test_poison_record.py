"""A record whose processing always times out is retried with an attempts header, then
dead-lettered; the records behind it on the same partition go on."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import orjson
import pytest

from newsingest.broker import Cluster
from newsingest.broker.publisher import Outgoing, Publisher
from newsingest.config import RunnerSettings
from newsingest.metrics import Metrics
from newsingest.runner import Message
from tests.conftest import SettingsFactory
from tests.integration.stage import make_runner, run_while
from tests.integration.topics import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]


async def test_retriable_failure_is_retried_then_dead_lettered_and_partition_moves_on(
    make_settings: SettingsFactory,
) -> None:
    settings = make_settings(
        runner=RunnerSettings(
            max_attempts=3, processing_timeout_s=0.3, commit_interval_s=0.2, retry_backoff_s=0.2
        )
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
            runner = make_runner(cluster, settings, handler, publisher, "s2")
            dead = await run_while(runner, read_topic(cluster, settings.topics.dlq, 1))
        assert later_done.is_set()
        record = orjson.loads(dead[0].value or b"")
        assert seen_attempts == [1, 2, 3]
        assert record["reason"] == "processing_timeout"
        assert record["attempts"] == 3
        headers = dict(dead[0].headers)
        assert headers["newsingest-attempts"] == b"3"
        assert headers["newsingest-error"] == b"processing took more than 0.3 s"
        assert headers["newsingest-failed-at"].decode() == record["failed_at"]
