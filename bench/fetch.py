"""Fetch-stage benchmark: politeness-bound throughput and the worker's memory.

2,000 URLs (--quick: 400) spread over 40 hosts, fetched by the real ``Fetcher``
with the default fetch settings. The hosts are names (``h00.bench`` ...) that
the benchmark's resolver maps to 127.0.0.1, so the fetcher treats them as 40
distinct hosts; one origin, in a separate process so that it does not share the
worker's CPU or memory, answers every request (robots.txt included) after
100 ms with a ~50 KB HTML page. URLs arrive shuffled across hosts, at most
``runner.max_in_flight`` at once, as the runner would hand them over.

The politeness lower bound is computed from the settings of the same run:
per host, n requests (pages + robots.txt) cannot finish before
max((n - 1) * host_delay + latency, ceil(n / max_per_host) * latency), and all
requests cannot finish before total * latency / max_in_flight. The run time is
reported against the largest of these (goal: <= 1.15x), with the worker's peak
RSS (goal: <= 250 MB).

Usage: python bench/fetch.py [--quick] [--urls N] [--hosts N]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from newsingest.config import FetchSettings, RunnerSettings
from newsingest.errors import FetchError
from newsingest.fetch import Fetcher
from newsingest.metrics import Metrics
from newsingest.urls import url_record

LATENCY_S = 0.1
PAGE = (
    "<!doctype html><html><head><meta charset=utf-8><title>Bench</title></head><body>"
    + "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit. </p>" * 800
    + "</body></html>"
).encode()


# --- the origin (its own process) --------------------------------------------------


def serve(port_out: multiprocessing.SimpleQueue[int]) -> None:
    asyncio.run(_serve(port_out))


async def _serve(port_out: multiprocessing.SimpleQueue[int]) -> None:
    server = await asyncio.start_server(_connection, "127.0.0.1", 0, backlog=1024)
    port_out.put(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


async def _connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """HTTP/1.1 keep-alive: every request answered after LATENCY_S."""
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            path = line.split(b" ")[1]
            while await reader.readline() not in (b"\r\n", b""):  # headers: not needed
                pass
            await asyncio.sleep(LATENCY_S)
            if path == b"/robots.txt":
                status, body, kind = b"404 Not Found", b"", b"text/plain"
            else:
                status, body, kind = b"200 OK", PAGE, b"text/html; charset=utf-8"
            writer.write(
                b"HTTP/1.1 " + status + b"\r\nContent-Type: " + kind
                + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )  # fmt: skip
            await writer.drain()
    except ConnectionError:
        return
    finally:
        writer.close()


# --- the worker -------------------------------------------------------------------


def _own_peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def lower_bound(per_host_requests: Sequence[int], settings: FetchSettings) -> float:
    """The shortest possible run under the politeness settings (see the module docstring)."""
    host_bounds = [
        max(
            (n - 1) * settings.host_delay_s + LATENCY_S,
            math.ceil(n / settings.max_per_host) * LATENCY_S,
        )
        for n in per_host_requests
    ]
    global_bound = sum(per_host_requests) * LATENCY_S / settings.max_in_flight
    return max([*host_bounds, global_bound])


async def run(urls: int, hosts: int, port: int) -> int:
    settings = FetchSettings(allow=["127.0.0.1/32"])
    runner = RunnerSettings()
    names = [f"h{i:02d}.bench" for i in range(hosts)]
    targets = [f"http://{names[i % hosts]}:{port}/article/{i}" for i in range(urls)]
    random.Random(7).shuffle(targets)

    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    gate = asyncio.Semaphore(runner.max_in_flight)
    durations: list[float] = []
    outcomes: Counter[str] = Counter()

    async def one(url: str) -> None:
        async with gate:
            started = time.monotonic()
            try:
                page = await fetcher(url_record(url, "cli"))
                outcomes[f"{page.status // 100}xx"] += 1
            except FetchError as exc:
                outcomes[exc.reason] += 1
            durations.append(time.monotonic() - started)

    metrics = Metrics()
    async with Fetcher(settings, metrics, resolver=resolve) as fetcher:
        started = time.monotonic()
        await asyncio.gather(*(one(url) for url in targets))
        elapsed = time.monotonic() - started

    per_host = Counter(url.split("/")[2] for url in targets)
    requests = [n + 1 for n in per_host.values()]  # + robots.txt
    bound = lower_bound(requests, settings)
    # VmHWM, not getrusage's ru_maxrss: that one survives exec, so run from `python -m
    # bench` it reported the parent's size at the fork that started this script.
    peak_rss_mb = _own_peak_rss_mb()
    durations.sort()
    print(f"urls {urls} over {hosts} hosts, origin latency {LATENCY_S * 1000:.0f} ms, "
          f"page {len(PAGE) / 1024:.0f} KiB")  # fmt: skip
    print(
        f"settings: max_per_host={settings.max_per_host} host_delay_s={settings.host_delay_s} "
        f"max_in_flight={settings.max_in_flight} runner.max_in_flight={runner.max_in_flight}"
    )
    print(f"outcomes: {dict(outcomes)}")
    print(f"politeness lower bound  {bound:8.2f} s  ({max(requests)} requests on the busiest host)")
    print(
        f"run time                {elapsed:8.2f} s  = {elapsed / bound:.3f}x the bound (goal <= 1.15x)"
    )
    print(f"worker peak RSS         {peak_rss_mb:8.1f} MB (goal <= 250 MB)")
    print(
        f"per-URL time incl. queueing: median {statistics.median(durations):.2f} s, "
        f"p99 {durations[int(len(durations) * 0.99) - 1]:.2f} s"
    )
    ok = outcomes.get("2xx", 0) == urls and elapsed / bound <= 1.15 and peak_rss_mb <= 250
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="400 URLs instead of 2,000")
    parser.add_argument("--urls", type=int, default=None)
    parser.add_argument("--hosts", type=int, default=40)
    args = parser.parse_args()
    urls = args.urls or (400 if args.quick else 2000)

    ports: multiprocessing.SimpleQueue[int] = multiprocessing.SimpleQueue()
    origin = multiprocessing.Process(target=serve, args=(ports,), daemon=True)
    origin.start()
    try:
        return asyncio.run(run(urls, args.hosts, ports.get()))
    finally:
        origin.terminate()
        origin.join(5)


if __name__ == "__main__":
    sys.exit(main())
