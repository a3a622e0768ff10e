"""Memory benchmark: peak RSS of the fetch stage with 500 fetches in flight at once.

The fetch stage (its own process, with the API) gets 500 URLs at once; the
loopback origin holds every answer for 2 s, then sends a page of the
article-extraction benchmark (median 112 KB), so all 500 are in flight
together. The runner's and fetcher's bounds are raised to let them (the
defaults allow 256 records per stage and 2 requests per host). The origin
counts the requests it holds at once, which shows the 500 were really
concurrent. Goal: <= 300 MB for the stage process. The baseline in the same
run is the same process's peak RSS when idle (after start-up).

Peak RSS of each stage under the end-to-end load is reported by ``bench.e2e``.

Usage: python -m bench.memory [--quick] [--in-flight N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

import httpx
from aiohttp import web

from bench.common import (
    Origin,
    ServiceProcess,
    bench_settings,
    benchmark_pages,
    follow,
    peak_rss_mb,
    url_of,
)
from newsingest.broker import Cluster, EmbeddedBroker
from newsingest.config import ApiSettings, FetchSettings, RunnerSettings

GOAL_RSS_MB = 300.0
HOLD_S = 2.0
HTML = "text/html; charset=utf-8"


class CountingOrigin(Origin):
    """An origin that records how many requests it holds at once."""

    held = 0
    peak = 0

    async def _serve(self, request: web.Request) -> web.Response:
        self.held += 1
        self.peak = max(self.peak, self.held)
        try:
            return await super()._serve(request)
        finally:
            self.held -= 1


async def run(in_flight: int) -> dict[str, Any]:
    html = benchmark_pages()
    paths = [f"/m/{i}.html" for i in range(in_flight)]
    pages = {path: (html[i % len(html)], HTML) for i, path in enumerate(paths)}
    origin = CountingOrigin(pages, delay_s=HOLD_S)
    async with EmbeddedBroker() as broker, origin:
        bound = in_flight + 50
        settings = bench_settings(
            broker.bootstrap_servers,
            fetch=FetchSettings(
                allow=[origin.allow],
                host_delay_s=0,
                max_per_host=bound,
                max_in_flight=bound,
                retries=0,
            ),
            api=ApiSettings(port=0),
            runner=RunnerSettings(max_in_flight=bound, max_in_flight_per_partition=bound),
        )
        async with Cluster(settings) as cluster, ServiceProcess(settings, ["fetch"]) as fetch:
            idle_mb = peak_rss_mb(fetch.pid)
            urls = [origin.url(path) for path in paths]
            done: set[str] = set()
            async with httpx.AsyncClient() as client:
                answer = await client.post(
                    f"http://127.0.0.1:{fetch.api_port}/v1/urls", json={"urls": urls}
                )
                answer.raise_for_status()
            await follow(
                cluster,
                [settings.topics.pages, settings.topics.dlq],
                lambda topic, value: done.add(url_of(value)),
                lambda: len(done) >= in_flight,
                within_s=120,
            )
            peak_mb = peak_rss_mb(fetch.pid)
    return {
        "urls": in_flight,
        "peak_concurrent_at_origin": origin.peak,
        "page_bytes_total": sum(len(pages[p][0]) for p in paths),
        "fetch_idle_rss_mb": idle_mb,
        "fetch_peak_rss_mb": peak_mb,
        "rss_over_idle": peak_mb / idle_mb if idle_mb else float("nan"),
        "goal_rss_mb": GOAL_RSS_MB,
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"memory: {result['urls']} fetches, {result['peak_concurrent_at_origin']} held at once "
        f"by the origin, {result['page_bytes_total'] / 1e6:.0f} MB of pages"
    )
    print(
        f"fetch stage peak RSS {result['fetch_peak_rss_mb']:.0f} MB "
        f"(goal <= {GOAL_RSS_MB:.0f} MB) = {result['rss_over_idle']:.2f}x its idle "
        f"{result['fetch_idle_rss_mb']:.0f} MB"
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="same load (it takes seconds)")
    parser.add_argument("--in-flight", type=int, default=500)
    args = parser.parse_args(argv)
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    result = asyncio.run(run(args.in_flight))
    report(result)
    return result


if __name__ == "__main__":
    main()
