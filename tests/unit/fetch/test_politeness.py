from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter

from newsingest.fetch.politeness import Politeness


async def test_per_host_and_global_caps_hold() -> None:
    politeness = Politeness(per_host=2, delay_s=0.0, max_in_flight=3)
    per_host: Counter[str] = Counter()
    peaks: Counter[str] = Counter()
    total = 0
    peak_total = 0

    async def request(host: str) -> None:
        nonlocal total, peak_total
        async with politeness.slot(host):
            per_host[host] += 1
            total += 1
            peaks[host] = max(peaks[host], per_host[host])
            peak_total = max(peak_total, total)
            await asyncio.sleep(0.01)
            per_host[host] -= 1
            total -= 1

    await asyncio.gather(*(request(f"h{i % 4}") for i in range(24)))
    assert peak_total == 3
    assert max(peaks.values()) <= 2


async def test_starts_are_spaced_by_the_larger_delay() -> None:
    politeness = Politeness(per_host=4, delay_s=0.02, max_in_flight=10)
    starts: dict[str, list[float]] = {"a": [], "b": []}

    async def request(host: str, crawl_delay: float | None) -> None:
        async with politeness.slot(host, delay_s=crawl_delay):
            starts[host].append(time.monotonic())

    await asyncio.gather(
        *(request("a", None) for _ in range(4)), *(request("b", 0.05) for _ in range(3))
    )
    assert min(b - a for a, b in itertools.pairwise(starts["a"])) >= 0.019
    assert min(b - a for a, b in itertools.pairwise(starts["b"])) >= 0.049


async def test_a_waiting_host_holds_no_global_slot() -> None:
    """Host "slow" has a long delay and a queue; host "fast" still gets through at once."""
    politeness = Politeness(per_host=1, delay_s=0.0, max_in_flight=1)
    order: list[str] = []

    async def request(host: str, delay: float | None) -> None:
        async with politeness.slot(host, delay_s=delay):
            order.append(host)

    slow = [asyncio.create_task(request("slow", 0.3)) for _ in range(2)]
    await asyncio.sleep(0.01)  # the first slow request went; the second waits 0.3 s
    await asyncio.wait_for(request("fast", None), 0.1)
    await asyncio.gather(*slow)
    assert order == ["slow", "fast", "slow"]
