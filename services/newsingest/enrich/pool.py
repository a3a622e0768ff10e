"""A process pool for CPU work, with a deadline per job.

Jobs carry their own deadline inside the worker (see ``work.py``); this side
adds a grace period and, when a worker is truly stuck (a C call that never
returns to Python), recycles the pool so the slot is not lost.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
import select
import threading
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Any, TypeVar

import structlog

from newsingest.errors import ExtractError
from newsingest.metrics import Metrics

log = structlog.get_logger(__name__)

T = TypeVar("T")
_GRACE_S = 2.0
_WARM_JOB_S = 0.05


class WorkerPool:
    def __init__(
        self,
        workers: int,
        metrics: Metrics,
        *,
        initializer: Callable[[], None] | None = None,
    ) -> None:
        self._workers = workers
        self._metrics = metrics
        self._initializer = initializer
        self._executor: concurrent.futures.ProcessPoolExecutor | None = None
        self._queued = 0

    @property
    def workers(self) -> int:
        return self._workers

    async def start(self) -> None:
        """Start every worker and wait for its initializer, so that no record pays for it."""
        if self._executor is None:
            self._executor = self._new_executor()
            await self._warm(self._executor)

    async def _warm(self, executor: concurrent.futures.ProcessPoolExecutor) -> None:
        # The executor starts workers lazily, one per job that finds none idle: jobs that
        # overlap make it start all of them now instead of on the first records.
        jobs = [
            asyncio.wrap_future(executor.submit(time.sleep, _WARM_JOB_S))
            for _ in range(self._workers)
        ]
        await asyncio.gather(*jobs)

    def _new_executor(self) -> concurrent.futures.ProcessPoolExecutor:
        # forkserver: workers never inherit the event loop's threads or sockets.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["newsingest.enrich.work"])
        return concurrent.futures.ProcessPoolExecutor(
            self._workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(os.getpid(), self._initializer),
        )

    async def stop(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)

    async def __aenter__(self) -> WorkerPool:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def run(self, deadline_s: float, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in a worker; ExtractError(extract_timeout) past the deadline."""
        if self._executor is None:
            raise RuntimeError("WorkerPool.start() has not been called")
        executor = self._executor
        self._queued += 1
        self._metrics.pool_queue_depth.set(self._queued)
        try:
            future = asyncio.wrap_future(executor.submit(fn, *args))
            return await asyncio.wait_for(future, deadline_s + _GRACE_S)
        except TimeoutError:
            self._recycle(executor)
            raise ExtractError(
                f"worker did not answer within {deadline_s + _GRACE_S:g} s",
                reason="extract_timeout",
            ) from None
        except BrokenProcessPool:
            self._recycle(executor)
            raise ExtractError(
                "a pool worker died", reason="extract_failed", retriable=True
            ) from None
        finally:
            self._queued -= 1
            self._metrics.pool_queue_depth.set(self._queued)

    def _recycle(self, executor: concurrent.futures.ProcessPoolExecutor) -> None:
        """Replace a pool whose worker is stuck or dead; kill the old workers."""
        if self._executor is not executor:
            return  # already replaced by a concurrent failure
        log.warning("recycling the process pool")
        self._executor = self._new_executor()
        processes = list(getattr(executor, "_processes", {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()


def _start_worker(parent_pid: int, initializer: Callable[[], None] | None) -> None:
    """Pool initializer: leave with the parent, then run the caller's initializer."""
    _exit_with(parent_pid)
    if initializer is not None:
        initializer()


def _exit_with(pid: int) -> None:
    """End this worker when process ``pid`` ends.

    A worker holds both ends of its job queue's pipe, so when its parent is killed
    (SIGKILL, the OOM killer) it waits for the next job forever, and keeps the
    forkserver alive with it. A thread waits on a pidfd of the parent instead.
    """
    pidfd_open = getattr(os, "pidfd_open", None)  # Linux only (macOS laptops have none)
    try:
        parent = pidfd_open(pid) if pidfd_open else None
    except OSError:  # Linux before 5.3
        parent = None
    if parent is None:
        return  # no watch: a killed parent leaves its workers behind, as before

    def watch() -> None:
        select.select([parent], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
