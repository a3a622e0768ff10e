"""Running one StageRunner, or the whole App, against the test broker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Sequence
from typing import TypeVar

from newsingest.app import STAGES, App
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


@contextlib.asynccontextmanager
async def running_app(
    settings: Settings, stages: Sequence[str] = STAGES, *, within_s: float = 30
) -> AsyncIterator[App]:
    """The app started with every stage joined to its group; stopped as SIGTERM would."""
    app = App(settings, stages=stages)
    stop = asyncio.Event()
    running = asyncio.create_task(app.run(stop))
    try:
        async with asyncio.timeout(within_s):
            await app.started.wait()
            for joined in app.health.stages.values():
                await joined.wait()
        yield app
    finally:
        stop.set()
        await running
