"""The application: composes broker, publisher, API and stage runners, and runs them.

Lifecycle: start everything (topics created, API listening), run until the
stop event is set (SIGTERM/SIGINT), then drain: readiness goes false, each
runner stops consuming, finishes or abandons in-flight work within the drain
deadline and commits; the producer flushes; the broker (if embedded) stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack

import structlog

from newsingest import __version__
from newsingest.api import Api
from newsingest.broker.cluster import Cluster
from newsingest.broker.publisher import Publisher
from newsingest.config import Settings
from newsingest.health import Health
from newsingest.metrics import Metrics
from newsingest.pipeline import enrich_handler, fetch_handler, incidents_handler, url_output
from newsingest.records import UrlRecord
from newsingest.runner import Handler, StageRunner

log = structlog.get_logger(__name__)

STAGES = ("discover", "fetch", "enrich", "incidents")
Companion = Callable[["App", asyncio.Event], Awaitable[None]]
Worker = Callable[[asyncio.Event], Awaitable[None]]
_PROBE_INTERVAL_S = 2.0
_LOOP_TICK_S = 0.5


class App:
    def __init__(
        self, settings: Settings, stages: Sequence[str] = STAGES, metrics: Metrics | None = None
    ) -> None:
        unknown = sorted(set(stages) - set(STAGES))
        if unknown:
            raise ValueError(f"unknown stages {unknown}; choose from {', '.join(STAGES)}")
        self.settings = settings
        self.stages = list(dict.fromkeys(stages))
        self.metrics = metrics or Metrics()
        self.health = Health()
        self.started = asyncio.Event()
        self.cluster = Cluster(settings)
        self.publisher: Publisher | None = None
        self.api: Api | None = None

    async def run(self, stop: asyncio.Event, companions: Sequence[Companion] = ()) -> None:
        """Run until ``stop``; ``companions`` run beside the stages and end before teardown."""
        self.metrics.build_info.info({"version": __version__})
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(self.cluster)
            self.publisher = Publisher(self.cluster.producer("publisher"), self.metrics)
            await stack.enter_async_context(self.publisher)
            self.health.broker_reachable = True
            if self.settings.api.enabled:
                self.api = Api(
                    self.settings.api,
                    self.settings.topics,
                    self.metrics,
                    self.health,
                    self.publisher,
                )
                await stack.enter_async_context(self.api)
            workers = [(stage, await self._worker(stage, stack)) for stage in self.stages]
            stage_stop = asyncio.Event()
            tasks = [asyncio.ensure_future(run(stage_stop)) for _, run in workers]
            for (name, _), task in zip(workers, tasks, strict=True):
                task.set_name(name)
            self.health.tasks.extend(tasks)
            monitors = [
                asyncio.create_task(self._probe_broker(), name="broker-probe"),
                asyncio.create_task(self._watch_loop_lag(), name="loop-lag"),
            ]
            extras = [asyncio.ensure_future(c(self, stage_stop)) for c in companions]
            self.started.set()
            log.info("newsingest running", stages=self.stages, version=__version__)
            try:
                await self._until_stop_or_failure(stop, tasks)
            finally:
                self.health.draining = True
                stage_stop.set()
                await asyncio.gather(*extras, return_exceptions=True)
                results = await asyncio.gather(*tasks, return_exceptions=True)
                for monitor in monitors:
                    monitor.cancel()
                await asyncio.gather(*monitors, return_exceptions=True)
            failures = [r for r in results if isinstance(r, BaseException)]
            if failures:
                raise failures[0]
        log.info("newsingest stopped")

    async def _until_stop_or_failure(
        self, stop: asyncio.Event, tasks: list[asyncio.Task[None]]
    ) -> None:
        waiter = asyncio.create_task(stop.wait())
        try:
            done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        for task in done:
            if task is not waiter:
                log.error("stage ended unexpectedly; stopping", stage=task.get_name())

    async def _worker(self, stage: str, stack: AsyncExitStack) -> Worker:
        """What runs the stage until its stop event: a consumer runner, or discover's poller."""
        if stage == "discover":
            return await self._discoverer(stack)
        runner = await self._runner(stage, stack)
        return runner.run

    async def _discoverer(self, stack: AsyncExitStack) -> Worker:
        from newsingest.discover import Discoverer, KafkaSeenUrls
        from newsingest.fetch import GuardedClient

        topics = self.settings.topics
        seen = KafkaSeenUrls(
            self.cluster.producer("discover-seen"),
            self.cluster.table_consumer("discover-seen"),
            topics.seen,
        )
        await stack.enter_async_context(seen)
        http = GuardedClient(self.settings.fetch, self.metrics)
        await stack.enter_async_context(http)
        publisher = self.publisher
        assert publisher is not None

        async def emit(urls: Sequence[UrlRecord]) -> None:
            await publisher.publish([url_output(url, topics) for url in urls])

        discoverer = Discoverer(self.settings, self.metrics, emit=emit, seen=seen, http=http)
        joined = asyncio.Event()
        joined.set()  # no group to join: ready once the seen-URL memory is loaded
        self.health.stages["discover"] = joined

        async def run(stop: asyncio.Event) -> None:
            await discoverer.run(stop)
            await stop.wait()  # with no sources configured, idle rather than end

        return run

    async def _runner(self, stage: str, stack: AsyncExitStack) -> StageRunner:
        topics = self.settings.topics
        handler, source = await self._handler(stage, stack)
        assert self.publisher is not None
        runner = StageRunner(
            stage=stage,
            consumer=self.cluster.consumer(stage, group=stage),
            topics=[source],
            handler=handler,
            publisher=self.publisher,
            dlq_topic=topics.dlq,
            settings=self.settings.runner,
            metrics=self.metrics,
            service_version=__version__,
            deadline_s=fetch_backstop_s(self.settings) if stage == "fetch" else None,
            # news.urls is keyed by host: more of one host's URLs in flight than its
            # politeness allows would wait in slots the partition's other hosts need.
            max_in_flight_per_key=self.settings.fetch.max_per_host if stage == "fetch" else None,
        )
        self.health.stages[stage] = runner.joined
        return runner

    async def _handler(self, stage: str, stack: AsyncExitStack) -> tuple[Handler, str]:
        """The stage's handler and its input topic; its resources join ``stack``."""
        topics = self.settings.topics
        if stage == "fetch":
            from newsingest.fetch import Fetcher
            from newsingest.fetch.robots import UNREACHABLE_TTL_S

            if self.settings.runner.retry_backoff_max_s < UNREACHABLE_TTL_S:
                log.warning(
                    "retries come back before robots.txt is asked again",
                    stage="fetch",
                    retry_backoff_max_s=self.settings.runner.retry_backoff_max_s,
                    robots_unreachable_ttl_s=UNREACHABLE_TTL_S,
                )
            # In-place retries of one fetch stop within this budget; the runner retries later.
            budget = max(1.0, self.settings.runner.processing_timeout_s - 5)
            fetcher = Fetcher(self.settings.fetch, self.metrics, budget_s=budget)
            await stack.enter_async_context(fetcher)
            return fetch_handler(fetcher, topics), topics.urls
        if stage == "incidents":
            return await self._incidents(), topics.strikes
        from newsingest.enrich import Enricher, WorkerPool, warm_up

        pool = WorkerPool(self.settings.enrich.workers, self.metrics, initializer=warm_up)
        await stack.enter_async_context(pool)
        enricher = Enricher(pool, self.settings.enrich, self.metrics)
        return enrich_handler(enricher, topics), topics.pages

    async def _incidents(self) -> Handler:
        """The linker, its memory rebuilt from the compacted incidents topic first."""
        from newsingest.broker.table import read_table
        from newsingest.incidents import IncidentLinker, LinkerConfig
        from newsingest.incidents.stage import IncidentStage

        options = self.settings.incidents
        config = LinkerConfig(
            close_after_days=options.close_after_days, date_window_days=options.date_window_days
        )
        stage = IncidentStage(IncidentLinker(config), self.metrics)
        consumer = self.cluster.table_consumer("incidents-restore")
        await consumer.start()
        try:
            restored = await stage.restore_from(
                read_table(consumer, self.settings.topics.incidents)
            )
        finally:
            await consumer.stop()
        log.info("incidents restored", stage="incidents", open=restored)
        return incidents_handler(stage, self.settings.topics)

    async def _probe_broker(self) -> None:
        assert self.publisher is not None
        while True:
            reachable = await self.publisher.broker_reachable(_PROBE_INTERVAL_S)
            if reachable != self.health.broker_reachable:
                log.warning("broker reachability changed", reachable=reachable)
            self.health.broker_reachable = reachable
            self.metrics.broker_up.set(1 if reachable else 0)
            await asyncio.sleep(_PROBE_INTERVAL_S)

    async def _watch_loop_lag(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(_LOOP_TICK_S)
            lag = time.perf_counter() - before - _LOOP_TICK_S
            self.metrics.event_loop_lag_seconds.set(max(0.0, lag))


def fetch_backstop_s(settings: Settings) -> float:
    """The runner's limit for one fetch: a backstop against a hang, not the fetch deadline.

    Fetch deadlines count network time only (per try, retries within the runner's
    processing timeout); a record may also queue for its host's politeness slot
    behind the partition's other records for that host, each spaced by the host
    delay (or Crawl-delay, capped) and taking up to one fetch deadline.
    """
    fetch, runner = settings.fetch, settings.runner
    ahead = math.ceil(runner.max_in_flight_per_partition / fetch.max_per_host)
    spacing = max(fetch.host_delay_s, fetch.max_crawl_delay_s) + fetch.total_timeout_s
    return runner.processing_timeout_s + ahead * spacing


def install_signal_handlers(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT set ``stop``, as Kubernetes and a terminal expect."""
    import signal

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
