"""Running one StageRunner against the test broker."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from newsingest.broker import Cluster
from newsingest.broker.publisher import Publisher
from newsingest.config import Settings
from newsingest.metrics import Metrics
from newsingest.runner import Handler, StageRunner

T = TypeVar("T")


async def run_while(runner: StageRunner, condition: Awaitable[T], within_s: float = 30) -> T:
    """Run the stage until ``condition`` is done; then stop it as SIGTERM would."""
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        async with asyncio.timeout(within_s):
            return await condition
    finally:
        stop.set()
        await task


def make_runner(
    cluster: Cluster,
    settings: Settings,
    handler: Handler,
    publisher: Publisher,
    stage: str,
    metrics: Metrics | None = None,
    max_in_flight_per_key: int | None = None,
) -> StageRunner:
    return StageRunner(
        stage=stage,
        consumer=cluster.consumer(stage, group=stage),
        topics=[settings.topics.urls],
        handler=handler,
        publisher=publisher,
        dlq_topic=settings.topics.dlq,
        settings=settings.runner,
        metrics=metrics or Metrics(),
        service_version="test",
        max_in_flight_per_key=max_in_flight_per_key,
    )
