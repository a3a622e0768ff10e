"""Latency benchmark: POST /v1/urls to the record on news.strikes, at a steady rate.

The fetch stage (with the API) and the enrich stage run in processes of their
own on the embedded broker. A loopback origin answers every page after 50 ms
with one of the five seeds (all five report strikes) under a URL of its own.
URLs are posted one per request at a steady rate (50/s) for a while; each
one's latency is the time from sending its POST to reading its record on
``news.strikes`` (a reader following the topic from its end). Goal: p99 <= 1 s.

The baseline in the same run is the origin's own answer time (50 ms): what no
pipeline can beat. Each record's own times (``fetched_at``, ``enriched_at``,
wall clock, this machine) split its latency into three hops: POST to fetched
(the origin's answer included), fetched to enriched, enriched to read.

Usage: python -m bench.latency [--quick] [--rate R] [--seconds S]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import time
from datetime import datetime
from typing import Any

import httpx
import orjson

from bench.common import (
    Origin,
    ServiceProcess,
    bench_settings,
    follow,
    load_average,
    percentile,
    running,
    seed_texts,
    url_of,
)
from newsingest.broker import Cluster, EmbeddedBroker
from newsingest.config import ApiSettings, EnrichSettings, FetchSettings, RunnerSettings

GOAL_P99_S = 1.0
ORIGIN_DELAY_S = 0.05
TEXT = "text/plain; charset=utf-8"


async def run(rate: float, seconds: float, workers: int) -> dict[str, Any]:
    count = int(rate * seconds)
    seeds = seed_texts()
    paths = [f"/l/{i}/seed{i % len(seeds)}.txt" for i in range(count)]
    pages = {path: (seeds[i % len(seeds)], TEXT) for i, path in enumerate(paths)}
    sent: dict[str, float] = {}
    arrived: dict[str, float] = {}
    sent_wall: dict[str, float] = {}
    stamps: dict[str, tuple[float, float, float]] = {}  # fetched, enriched, read (wall clock)
    async with EmbeddedBroker() as broker, Origin(pages, delay_s=ORIGIN_DELAY_S) as origin:
        settings = bench_settings(
            broker.bootstrap_servers,
            fetch=FetchSettings(allow=[origin.allow], host_delay_s=0, max_per_host=64, retries=0),
            enrich=EnrichSettings(workers=workers),
            api=ApiSettings(port=0),
            runner=RunnerSettings(commit_interval_s=0.5),
        )
        async with Cluster(settings) as cluster:
            fetch = ServiceProcess(settings, ["fetch"])
            enrich = ServiceProcess(
                settings.model_copy(update={"api": ApiSettings(enabled=False)}), ["enrich"]
            )
            async with running(fetch, enrich):

                def record(topic: str, value: bytes) -> None:
                    url = url_of(value)
                    if url not in arrived:
                        arrived[url] = time.perf_counter()
                        stamps[url] = (*_record_times(value), time.time())

                reader = asyncio.create_task(
                    follow(
                        cluster,
                        [settings.topics.strikes],
                        record,
                        lambda: len(arrived) >= count,
                        within_s=seconds + 60,
                        from_end=True,
                    )
                )
                await asyncio.sleep(1.0)  # the reader has pinned its start
                api = f"http://127.0.0.1:{fetch.api_port}/v1/urls"
                async with httpx.AsyncClient() as client:
                    began = time.perf_counter()
                    posts = []
                    for i, path in enumerate(paths):
                        await asyncio.sleep(max(0.0, began + i / rate - time.perf_counter()))
                        url = origin.url(path)
                        sent[url] = time.perf_counter()
                        sent_wall[url] = time.time()
                        posts.append(asyncio.create_task(client.post(api, json={"urls": [url]})))
                    for answer in await asyncio.gather(*posts):
                        answer.raise_for_status()
                    achieved = count / (time.perf_counter() - began)
                with contextlib.suppress(TimeoutError):
                    await reader
                load = load_average()
    latencies = [arrived[url] - sent[url] for url in sent if url in arrived]
    hops = {
        "post_to_fetched": [stamps[u][0] - sent_wall[u] for u in stamps],
        "fetched_to_enriched": [stamps[u][1] - stamps[u][0] for u in stamps],
        "enriched_to_read": [stamps[u][2] - stamps[u][1] for u in stamps],
    }
    return {
        "rate": rate,
        "achieved_rate": achieved,
        "seconds": seconds,
        "sent": count,
        "arrived": len(latencies),
        "origin_delay_s": ORIGIN_DELAY_S,
        "p50_s": percentile(latencies, 0.50),
        "p90_s": percentile(latencies, 0.90),
        "p99_s": percentile(latencies, 0.99),
        "max_s": max(latencies, default=float("nan")),
        "p99_over_origin": percentile(latencies, 0.99) / ORIGIN_DELAY_S,
        "goal_p99_s": GOAL_P99_S,
        "hops_ms": {
            name: {f"p{q}": percentile(values, q / 100) * 1000 for q in (50, 90, 99)}
            for name, values in hops.items()
        },
        "load_avg": load,
    }


def _record_times(value: bytes) -> tuple[float, float]:
    article = orjson.loads(value)
    return (
        datetime.fromisoformat(article["fetched_at"]).timestamp(),
        datetime.fromisoformat(article["enriched_at"]).timestamp(),
    )


def report(result: dict[str, Any]) -> None:
    print(
        f"latency: {result['sent']} URLs at {result['achieved_rate']:.1f}/s "
        f"(asked {result['rate']:.0f}/s), {result['arrived']} on news.strikes, "
        f"origin {result['origin_delay_s'] * 1000:.0f} ms; load {result['load_avg']:.1f}"
    )
    print(
        f"POST -> news.strikes: p50 {result['p50_s'] * 1000:.0f} ms, "
        f"p90 {result['p90_s'] * 1000:.0f} ms, p99 {result['p99_s'] * 1000:.0f} ms "
        f"(goal <= {GOAL_P99_S * 1000:.0f} ms), max {result['max_s'] * 1000:.0f} ms; "
        f"p99 = {result['p99_over_origin']:.1f}x the origin's answer time"
    )
    hops = ", ".join(
        f"{name.replace('_', ' ')} {h['p50']:.0f}/{h['p90']:.0f}/{h['p99']:.0f}"
        for name, h in result["hops_ms"].items()
    )
    print(f"hops, p50/p90/p99 ms: {hops}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 s instead of 30 s")
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    seconds = args.seconds or (8.0 if args.quick else 30.0)
    result = asyncio.run(run(args.rate, seconds, args.workers))
    report(result)
    return result


if __name__ == "__main__":
    main()
