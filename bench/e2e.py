"""End-to-end benchmark: HTML pages through fetch and enrich, per core, against bare trafilatura.

N pages of the article-extraction benchmark (gunzipped, each served under a few
URLs so N can exceed 181) come from a loopback origin answering at once, spread
over 40 host addresses (127.0.0.1-40) as a feed of many sites would be. The
fetch stage (with the HTTP API) and the enrich stage run in two processes of
their own, on the embedded broker started here. All N URLs are submitted at
once with ``POST /v1/urls``; the run ends when each has an article on
``news.articles`` or a dead letter on ``news.dlq``.

Figures: CPU seconds of both stage process trees (pool workers included) per
article, against bare ``trafilatura.extract(html)`` on the same pages in a plain
loop in this process (the floor: goal <= 1.2x); articles/s per core; wall-clock
articles/s; peak RSS per stage process (goal <= 300 MB; pool workers apart);
and the same load with 1 and 2 enrich workers (scaling).

Usage: python -m bench.e2e [--quick] [--pages N] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from dataclasses import asdict, dataclass
from typing import Any

import httpx
import trafilatura

from bench.common import (
    CpuMeter,
    Origin,
    ServiceProcess,
    bench_settings,
    benchmark_pages,
    follow,
    load_average,
    running,
    url_of,
)
from newsingest.broker import Cluster, EmbeddedBroker
from newsingest.config import ApiSettings, EnrichSettings, FetchSettings, RunnerSettings

GOAL_RATIO = 1.2
HOSTS = 40  # news comes from many sites: URLs spread over 40 loopback hosts
GOAL_RSS_MB = 300.0
HTML = "text/html; charset=utf-8"


@dataclass
class E2eRun:
    workers: int
    articles: int
    dead_letters: int
    wall_s: float
    cpu_s: float
    cpu_fetch_s: float
    cpu_enrich_s: float
    articles_per_s: float
    articles_per_cpu_s: float
    fetch_rss_mb: float
    enrich_rss_mb: float
    worker_rss_mb: float
    load_avg: float


def bare_trafilatura(pages: list[bytes]) -> float:
    """CPU seconds per page of ``trafilatura.extract`` on the decoded pages, in a plain loop."""
    texts = [page.decode("utf-8", errors="replace") for page in pages]
    started = time.process_time()
    for text in texts:
        trafilatura.extract(text)
    return (time.process_time() - started) / len(texts)


def _paths(count: int, distinct: int) -> list[str]:
    return [f"/p{i // distinct}/{i % distinct}.html" for i in range(count)]


async def run_once(bootstrap: str, pages: list[bytes], count: int, workers: int) -> E2eRun:
    paths = _paths(count, len(pages))
    served = {path: (pages[i % len(pages)], HTML) for i, path in enumerate(paths)}
    async with Origin(served, hosts=HOSTS) as origin:
        settings = bench_settings(
            bootstrap,
            fetch=FetchSettings(allow=[origin.allow], host_delay_s=0, max_per_host=4, retries=0),
            enrich=EnrichSettings(workers=workers),
            api=ApiSettings(port=0),
            runner=RunnerSettings(commit_interval_s=0.5),
        )
        async with Cluster(settings) as cluster:  # creates the topics up front
            fetch = ServiceProcess(settings, ["fetch"])
            enrich = ServiceProcess(
                settings.model_copy(update={"api": ApiSettings(enabled=False)}), ["enrich"]
            )
            async with running(fetch, enrich):
                meter = CpuMeter([fetch.pid])
                enrich_meter = CpuMeter([enrich.pid])
                urls = [origin.url(path, host=i) for i, path in enumerate(paths)]
                seen: dict[str, str] = {}

                def record(topic: str, value: bytes) -> None:
                    seen[url_of(value)] = topic

                meter.start()
                enrich_meter.start()
                async with httpx.AsyncClient() as client:
                    for start in range(0, len(urls), 1000):
                        answer = await client.post(
                            f"http://127.0.0.1:{fetch.api_port}/v1/urls",
                            json={"urls": urls[start : start + 1000]},
                        )
                        answer.raise_for_status()
                topics = [settings.topics.articles, settings.topics.dlq]
                await follow(cluster, topics, record, lambda: len(seen) >= count, within_s=600)
                load = load_average()
                cpu_fetch, cpu_enrich = meter.stop(), enrich_meter.stop()
                fetch_rss, enrich_rss = fetch.peak_rss(), enrich.peak_rss()
    articles = sum(1 for topic in seen.values() if topic == settings.topics.articles)
    cpu = cpu_fetch + cpu_enrich
    return E2eRun(
        workers=workers,
        articles=articles,
        dead_letters=count - articles,
        wall_s=meter.wall_s,
        cpu_s=cpu,
        cpu_fetch_s=cpu_fetch,
        cpu_enrich_s=cpu_enrich,
        articles_per_s=count / meter.wall_s,
        articles_per_cpu_s=count / cpu,
        fetch_rss_mb=fetch_rss["stage_mb"],
        enrich_rss_mb=enrich_rss["stage_mb"],
        worker_rss_mb=enrich_rss["max_child_mb"],
        load_avg=load,
    )


async def bench(count: int, distinct: int, workers: list[int]) -> dict[str, Any]:
    pages = benchmark_pages(distinct)
    base_s = bare_trafilatura(pages)
    runs: list[E2eRun] = []
    async with EmbeddedBroker() as broker:
        for n in workers:
            runs.append(await run_once(broker.bootstrap_servers, pages, count, n))
    best = runs[-1]
    per_article = best.cpu_s / count
    speedup = runs[-1].articles_per_s / runs[0].articles_per_s if len(runs) > 1 else 1.0
    return {
        "pages": count,
        "distinct_pages": len(pages),
        "bare_trafilatura_ms_per_page": base_s * 1000,
        "bare_trafilatura_pages_per_cpu_s": 1 / base_s,
        "pipeline_ms_per_article": per_article * 1000,
        "cost_ratio": per_article / base_s,
        "goal_ratio": GOAL_RATIO,
        "scaling_speedup": speedup,
        "runs": [asdict(run) for run in runs],
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"end to end: {result['pages']} pages ({result['distinct_pages']} distinct), "
        f"bare trafilatura {result['bare_trafilatura_ms_per_page']:.1f} ms CPU/page "
        f"({result['bare_trafilatura_pages_per_cpu_s']:.1f} pages/s/core)"
    )
    print(
        "workers | articles | DLQ | wall s | art/s | CPU s (fetch+enrich) | art/s/core "
        "| RSS fetch/enrich/worker MB | load"
    )
    for run in result["runs"]:
        print(
            f"{run['workers']:7} | {run['articles']:8} | {run['dead_letters']:3} "
            f"| {run['wall_s']:6.1f} | {run['articles_per_s']:5.1f} "
            f"| {run['cpu_s']:6.1f} ({run['cpu_fetch_s']:.1f}+{run['cpu_enrich_s']:.1f}) "
            f"| {run['articles_per_cpu_s']:10.1f} "
            f"| {run['fetch_rss_mb']:.0f}/{run['enrich_rss_mb']:.0f}/{run['worker_rss_mb']:.0f} "
            f"| {run['load_avg']:.1f}"
        )
    print(
        f"pipeline {result['pipeline_ms_per_article']:.1f} ms CPU/article = "
        f"{result['cost_ratio']:.2f}x bare trafilatura (goal <= {GOAL_RATIO}x); "
        f"scaling 1 -> {result['runs'][-1]['workers']} workers: "
        f"{result['scaling_speedup']:.2f}x wall-clock"
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 pages instead of 362")
    parser.add_argument("--pages", type=int, default=None)
    parser.add_argument("--workers", default="1,2", help="enrich pool sizes to run, in order")
    args = parser.parse_args(argv)
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    count = args.pages or (60 if args.quick else 362)
    workers = [int(w) for w in args.workers.split(",")]
    result = asyncio.run(bench(count, min(count, 181), workers))
    report(result)
    return result


if __name__ == "__main__":
    main()
