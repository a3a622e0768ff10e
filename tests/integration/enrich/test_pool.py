"""The enrich stage's own path through real worker processes: batches, errors, deadlines."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from newsingest.config import EnrichSettings
from newsingest.enrich import Enricher, WorkerPool, build_article, warm_up
from newsingest.enrich.pool import _exit_with
from newsingest.errors import ExtractError
from newsingest.localrun import page_from_text
from newsingest.metrics import Metrics
from newsingest.records import ArticleRecord, EncodedArticle, PageRecord, decode

SEEDS = sorted((Path(__file__).resolve().parents[3] / "samples" / "seeds").glob("*.txt"))


def page(n: int, body: str) -> PageRecord:
    return page_from_text(body, url=f"https://example.com/{n}.txt", content_type="text/plain")


async def test_pages_in_flight_together_come_back_as_their_own_articles() -> None:
    texts = [seed.read_text(encoding="utf-8") for seed in SEEDS]
    pages = [page(n, texts[n % len(texts)]) for n in range(40)] + [page(40, " \n ")]
    metrics = Metrics()
    async with WorkerPool(2, metrics, initializer=warm_up) as pool:
        enrich = Enricher(pool, EnrichSettings(workers=2), metrics)
        outcomes = await asyncio.gather(*(enrich(p) for p in pages), return_exceptions=True)
    for p, outcome in zip(pages[:40], outcomes[:40], strict=True):
        assert isinstance(outcome, EncodedArticle), outcome
        article = decode(ArticleRecord, outcome.value)
        expected = build_article(p, 5_000_000)
        assert (article.url, article.text, article.tags) == (
            expected.url,
            expected.text,
            expected.tags,
        )
        assert article.removed == expected.removed
        # What the stage counts and routes by comes with the bytes and agrees with them.
        assert outcome.article_id == article.article_id
        assert outcome.is_strike == article.tags.strike.is_strike
        assert sum(outcome.removed.values()) == len(article.removed)
        assert outcome.tags["militia"] == len(article.tags.militias)
    empty = outcomes[40]
    assert isinstance(empty, ExtractError)
    assert empty.reason == "extract_empty"
    assert empty.url_id == pages[40].url_id


async def test_each_page_past_the_deadline_ends_as_extract_timeout() -> None:
    # Distinct paragraphs (a repeated article would be cut to one copy by the cleaning).
    long_text = "\n\n".join(
        f"Rockets struck base {n} near Baghdad on Monday, officials said in statement {n}."
        for n in range(3000)
    )
    pages = [page(n, long_text) for n in range(5)]
    metrics = Metrics()
    async with WorkerPool(1, metrics, initializer=warm_up) as pool:
        enrich = Enricher(pool, EnrichSettings(workers=1, timeout_s=0.005), metrics)
        outcomes = await asyncio.wait_for(
            asyncio.gather(*(enrich(p) for p in pages), return_exceptions=True), 30
        )
        # The pool still serves after the timeouts.
        small = await Enricher(pool, EnrichSettings(workers=1), metrics)(page(9, "Rockets hit."))
    assert [getattr(o, "reason", o) for o in outcomes] == ["extract_timeout"] * 5
    assert decode(ArticleRecord, small.value).text == "Rockets hit."


@pytest.mark.parametrize("workers", [1, 3])
async def test_the_pool_starts_every_worker_before_the_first_page(workers: int) -> None:
    async with WorkerPool(workers, Metrics(), initializer=warm_up) as pool:
        processes = getattr(pool._executor, "_processes", {})
        assert len(processes) == workers


# A stage process that starts its pool, says who its workers are, and waits.
_STAGE = """
import asyncio
from newsingest.enrich import WorkerPool
from newsingest.metrics import Metrics

async def main() -> None:
    async with WorkerPool(2, Metrics()) as pool:
        print(*getattr(pool._executor, "_processes", {}), flush=True)
        await asyncio.sleep(600)

asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_workers_and_forkserver_end_when_the_stage_process_is_killed() -> None:
    with subprocess.Popen(
        [sys.executable, "-c", _STAGE], stdout=subprocess.PIPE, text=True
    ) as stage:
        try:
            assert stage.stdout is not None
            workers = [int(pid) for pid in stage.stdout.readline().split()]
            assert len(workers) == 2
            forkserver = _parent(workers[0])
            assert forkserver != stage.pid
        finally:
            stage.kill()  # SIGKILL: nothing in the stage process gets to clean up
    left = [*workers, forkserver]
    deadline = time.monotonic() + 10
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [pid for pid in left if _alive(pid)]
    assert left == []


def test_without_pidfds_a_worker_starts_without_the_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "pidfd_open", raising=False)  # as on macOS
    threads = threading.active_count()
    _exit_with(os.getpid())
    assert threading.active_count() == threads
