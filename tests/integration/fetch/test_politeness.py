"""Per-host politeness on real loopback origins, named as distinct hosts by the test resolver."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable

from newsingest.config import FetchSettings
from newsingest.fetch import Fetcher
from newsingest.urls import url_record
from tests.integration.fetch.conftest import LoopbackOnly, fetch_settings
from tests.integration.fetch.origin import Handler, Origin, Request, respond

PAGE = respond(200, b"<p>x</p>", {"Content-Type": "text/html"})


def stamping(starts: list[float], handler: Handler = PAGE, delay_s: float = 0.0) -> Handler:
    async def handle(request: Request, writer: asyncio.StreamWriter) -> None:
        starts.append(time.monotonic())
        await asyncio.sleep(delay_s)
        await handler(request, writer)

    return handle


def named(origin: Origin, host: str, path: str) -> str:
    return f"http://{host}:{origin.port}{path}"


async def test_requests_to_one_host_are_spaced_by_the_larger_of_delay_and_crawl_delay(
    origin_factory: Callable[..., Origin],
    fetcher_factory: Callable[[FetchSettings], Fetcher],
    net: LoopbackOnly,
) -> None:
    plain: list[float] = []
    crawl: list[float] = []
    robots = respond(200, b"User-agent: *\nCrawl-delay: 0.3\n", {"Content-Type": "text/plain"})
    a = origin_factory({"/robots.txt": respond(404), "*": stamping(plain)})
    b = origin_factory({"/robots.txt": robots, "*": stamping(crawl)})
    net.names.update({"a.test": ["127.0.0.1"], "b.test": ["127.0.0.1"]})
    settings = fetch_settings("127.0.0.1/32", host_delay_s=0.15, max_per_host=2)
    async with fetcher_factory(settings) as fetcher:
        await asyncio.gather(
            *(fetcher(url_record(named(a, "a.test", f"/p{i}"), "cli")) for i in range(4)),
            *(fetcher(url_record(named(b, "b.test", f"/p{i}"), "cli")) for i in range(3)),
        )
    assert len(plain) == 4
    assert len(crawl) == 3
    assert min(later - earlier for earlier, later in itertools.pairwise(plain)) >= 0.14
    assert min(later - earlier for earlier, later in itertools.pairwise(crawl)) >= 0.29


async def test_a_slow_host_does_not_hold_up_the_others(
    origin_factory: Callable[..., Origin],
    fetcher_factory: Callable[[FetchSettings], Fetcher],
    net: LoopbackOnly,
) -> None:
    slow_starts: list[float] = []
    slow = origin_factory({"*": stamping(slow_starts, delay_s=1.0)})
    fast = origin_factory({"*": PAGE})
    net.names.update({"slow.test": ["127.0.0.1"], "fast.test": ["127.0.0.1"]})
    settings = fetch_settings("127.0.0.1/32", max_per_host=1, max_in_flight=4, robots=False)
    done: dict[str, float] = {}
    started = time.monotonic()

    async def fetch(origin: Origin, host: str, path: str) -> None:
        await fetcher(url_record(named(origin, host, path), "cli"))
        done[f"{host}{path}"] = time.monotonic() - started

    async with fetcher_factory(settings) as fetcher:
        await asyncio.gather(
            *(fetch(slow, "slow.test", f"/s{i}") for i in range(3)),
            *(fetch(fast, "fast.test", f"/f{i}") for i in range(6)),
        )
    fast_done = max(t for key, t in done.items() if key.startswith("fast"))
    slow_first = min(t for key, t in done.items() if key.startswith("slow"))
    assert fast_done < slow_first < 1.9  # the fast host finished while the slow one answered
    assert len(slow_starts) == 3
    assert all(b - a >= 0.95 for a, b in itertools.pairwise(slow_starts))  # one at a time
