"""The batcher: many small pages to one pool job, each caller its own outcome.

The pool here runs each job in this process (the batching is what is under
test); ``test_pool.py`` runs the same path through real worker processes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from newsingest.enrich.batch import Batcher
from newsingest.errors import ExtractError
from newsingest.localrun import page_from_text
from newsingest.records import ArticleRecord, EncodedArticle, PageRecord, decode

T = TypeVar("T")
STORY = "Rockets struck a base near Baghdad on Monday, officials said. Nobody was hurt."


def page(n: int, body: str = STORY) -> PageRecord:
    return page_from_text(body, url=f"https://example.com/{n}", content_type="text/plain")


def url_of(article: EncodedArticle) -> str:
    return decode(ArticleRecord, article.value).url


class InlinePool:
    """Runs jobs here, one at a time, each after ``gate`` opens; records each job's pages."""

    def __init__(self, fail_batches: bool = False) -> None:
        self.jobs: list[list[str]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail_batches = fail_batches

    async def run(self, deadline_s: float, fn: Callable[..., T], *args: Any) -> T:
        pages: list[PageRecord] = args[0]
        self.jobs.append([p.url for p in pages])
        await self.gate.wait()
        if self.fail_batches and len(pages) > 1:
            raise ExtractError("a pool worker died", reason="extract_failed", retriable=True)
        return fn(*args)


def batcher(pool: InlinePool, **overrides: Any) -> Batcher:
    options: dict[str, Any] = {"deadline_s": 5.0, "max_body_chars": 100_000, "max_jobs": 1}
    options.update(overrides)
    return Batcher(pool, **options)


async def test_pages_that_wait_for_a_busy_pool_leave_together() -> None:
    pool = InlinePool()
    pool.gate.clear()
    enrich = batcher(pool)
    calls = [asyncio.create_task(enrich(page(n))) for n in range(10)]
    await asyncio.sleep(0.01)
    assert len(pool.jobs) == 1  # the first page left alone; nine wait
    assert enrich.waiting == 9
    pool.gate.set()
    articles = await asyncio.gather(*calls)
    assert [len(job) for job in pool.jobs] == [1, 9]
    assert [url_of(a) for a in articles] == [f"https://example.com/{n}" for n in range(10)]
    assert all(a.is_strike for a in articles)


async def test_batches_are_bounded_in_records_and_characters() -> None:
    pool = InlinePool()
    pool.gate.clear()
    enrich = batcher(pool, max_records=4, max_chars=3 * len(STORY))
    big = "Rockets struck a base. " * 20
    bodies = [STORY] * 7 + [big] + [STORY] * 2
    calls = [asyncio.create_task(enrich(page(n, body))) for n, body in enumerate(bodies)]
    await asyncio.sleep(0.01)
    pool.gate.set()
    await asyncio.gather(*calls)
    # 1 alone, then at most 3 stories by characters, then the big page alone.
    assert [len(job) for job in pool.jobs] == [1, 3, 3, 1, 2]


async def test_a_bad_page_fails_alone() -> None:
    pool = InlinePool()
    pool.gate.clear()
    enrich = batcher(pool)
    calls = [asyncio.create_task(enrich(page(n, "  " if n == 3 else STORY))) for n in range(6)]
    await asyncio.sleep(0.01)
    pool.gate.set()
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    assert [len(job) for job in pool.jobs] == [1, 5]
    error = outcomes[3]
    assert isinstance(error, ExtractError)
    assert error.reason == "extract_empty"
    assert all(not isinstance(o, BaseException) for i, o in enumerate(outcomes) if i != 3)


async def test_when_a_whole_batch_fails_its_pages_are_retried_one_per_job() -> None:
    pool = InlinePool(fail_batches=True)
    pool.gate.clear()
    enrich = batcher(pool)
    calls = [asyncio.create_task(enrich(page(n))) for n in range(4)]
    await asyncio.sleep(0.01)
    pool.gate.set()
    articles = await asyncio.gather(*calls)
    assert [len(job) for job in pool.jobs] == [1, 3, 1, 1, 1]
    assert len({url_of(a) for a in articles}) == 4


async def test_pages_a_batch_did_not_reach_go_first_in_the_next() -> None:
    class OutOfBudget(InlinePool):
        async def run(self, deadline_s: float, fn: Callable[..., T], *args: Any) -> T:
            outcomes: Any = await super().run(deadline_s, fn, *args)
            if len(outcomes) > 2:
                outcomes[2:] = [None] * (len(outcomes) - 2)  # the worker's budget ran out
            return outcomes  # type: ignore[no-any-return]

    pool = OutOfBudget()
    pool.gate.clear()
    enrich = batcher(pool)
    calls = [asyncio.create_task(enrich(page(n))) for n in range(6)]
    await asyncio.sleep(0.01)
    pool.gate.set()
    articles = await asyncio.gather(*calls)
    assert pool.jobs[1] == [f"https://example.com/{n}" for n in range(1, 6)]
    assert pool.jobs[2] == [f"https://example.com/{n}" for n in range(3, 6)]
    assert [url_of(a) for a in articles] == [f"https://example.com/{n}" for n in range(6)]


async def test_a_caller_that_gives_up_takes_its_waiting_page_back() -> None:
    pool = InlinePool()
    pool.gate.clear()
    enrich = batcher(pool)
    first = asyncio.create_task(enrich(page(0)))
    waiting = asyncio.create_task(enrich(page(1)))
    kept = asyncio.create_task(enrich(page(2)))
    await asyncio.sleep(0.01)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    pool.gate.set()
    await asyncio.gather(first, kept)
    assert pool.jobs == [["https://example.com/0"], ["https://example.com/2"]]
