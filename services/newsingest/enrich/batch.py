"""Coalescing enrich calls: one pool job carries many small pages.

A process-pool job costs a fixed amount of IPC (two pickles, a queue hop, a
wake-up on each side) that is larger than the work of a short plain-text page.
``Batcher`` keeps each caller's ``await batcher(page) -> EncodedArticle`` and
errors per page, but sends pages to the pool together:

- no timer: a batch leaves as soon as a job slot is free (``max_jobs``, a
  little more than the worker count so that workers never wait for the event
  loop); pages that arrive while all slots are busy wait and leave together,
  so batches grow with the load and stay single pages when idle;
- a batch holds at most ``max_records`` pages and ``max_chars`` characters of
  body (a large HTML page travels alone);
- inside the worker the batch shares one deadline budget (``enrich_batch``)
  enforced by a timer; the parent's own wait (``job_wait_s``, a safety net for
  a worker stuck in C code) also covers the jobs queued ahead of this one:
  the first page always gets the full per-page deadline, pages the budget did
  not reach come back unrun and are queued again at the front;
- when a whole batch fails (a worker stuck past the deadline, or dead), its
  pages are retried one per job, so only the culprit gets the error.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from newsingest.enrich.work import enrich_batch
from newsingest.errors import NewsingestError
from newsingest.records import EncodedArticle, PageRecord

MAX_RECORDS = 32
MAX_CHARS = 256_000
T = TypeVar("T")


class Pool(Protocol):
    """What the batcher needs of ``WorkerPool``."""

    async def run(self, deadline_s: float, fn: Callable[..., T], *args: Any) -> T: ...


@dataclass(slots=True, eq=False)  # compared by identity
class _Item:
    page: PageRecord
    future: asyncio.Future[EncodedArticle]
    alone: bool = False  # retried in a job of its own after its batch failed


class Batcher:
    def __init__(
        self,
        pool: Pool,
        *,
        deadline_s: float,
        max_body_chars: int,
        max_jobs: int,
        job_wait_s: float | None = None,
        max_records: int = MAX_RECORDS,
        max_chars: int = MAX_CHARS,
    ) -> None:
        self._pool = pool
        self._deadline_s = deadline_s
        # How long the parent waits for a job: its own run, plus the jobs ahead of it.
        self._job_wait_s = job_wait_s or deadline_s
        self._max_body_chars = max_body_chars
        self._max_jobs = max_jobs
        self._max_records = max_records
        self._max_chars = max_chars
        self._queue: deque[_Item] = deque()
        self._jobs: set[asyncio.Task[None]] = set()

    async def __call__(self, page: PageRecord) -> EncodedArticle:
        future: asyncio.Future[EncodedArticle] = asyncio.get_running_loop().create_future()
        item = _Item(page, future)
        self._queue.append(item)
        self._pump()
        try:
            return await future
        except asyncio.CancelledError:
            # The caller gave up (runner timeout, drain): drop the page if it has not left yet.
            if item in self._queue:
                self._queue.remove(item)
            raise

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def _pump(self) -> None:
        while self._queue and len(self._jobs) < self._max_jobs:
            batch = self._take()
            job = asyncio.create_task(self._run(batch))
            self._jobs.add(job)
            job.add_done_callback(self._job_done)

    def _job_done(self, job: asyncio.Task[None]) -> None:
        self._jobs.discard(job)
        self._pump()

    def _take(self) -> list[_Item]:
        """The next batch: at least one page, then more while both bounds allow."""
        first = self._queue.popleft()
        batch, chars = [first], _size(first.page)
        if first.alone:
            return batch
        while self._queue and len(batch) < self._max_records:
            following = self._queue[0]
            if following.alone or chars + _size(following.page) > self._max_chars:
                break
            batch.append(self._queue.popleft())
            chars += _size(following.page)
        return batch

    async def _run(self, batch: list[_Item]) -> None:
        live = [item for item in batch if not item.future.done()]
        if not live:
            return
        try:
            outcomes = await self._pool.run(
                self._job_wait_s,
                enrich_batch,
                [item.page for item in live],
                self._deadline_s,
                self._max_body_chars,
            )
        except NewsingestError as exc:
            self._batch_failed(live, exc)
            return
        except Exception as exc:  # unpicklable result or similar: each page alone may pass
            self._batch_failed(live, exc)
            return
        unrun = []
        for item, outcome in zip(live, outcomes, strict=True):
            if outcome is None:
                unrun.append(item)
            elif not item.future.done():
                if isinstance(outcome, BaseException):
                    item.future.set_exception(outcome)
                else:
                    item.future.set_result(outcome)
        self._queue.extendleft(reversed(unrun))

    def _batch_failed(self, batch: list[_Item], exc: Exception) -> None:
        if len(batch) == 1:
            if not batch[0].future.done():
                batch[0].future.set_exception(exc)
            return
        for item in batch:
            item.alone = True
        self._queue.extendleft(reversed(batch))


def _size(page: PageRecord) -> int:
    return len(page.body)
