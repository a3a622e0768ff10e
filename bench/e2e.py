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
and scaling, the same load with 1 and 2 pool workers in one enrich process,
then with 2 enrich processes of 1 worker each (one consumer group sharing the
partitions of ``news.pages``, as replicas of the enrich Deployment do).

Usage: python -m bench.e2e [--quick] [--pages N] [--workers 1,2] [--replicas 2]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
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
from newsingest.enrich import build_article
from newsingest.extract import prime_extractor
from newsingest.localrun import page_from_text

GOAL_RATIO = 1.2
HOSTS = 40  # news comes from many sites: URLs spread over 40 loopback hosts
GOAL_RSS_MB = 300.0
HTML = "text/html; charset=utf-8"


@dataclass
class E2eRun:
    workers: int  # pool workers of each enrich process
    replicas: int  # enrich processes
    articles: int
    dead_letters: int
    wall_s: float
    cpu_s: float
    cpu_fetch_s: float
    cpu_enrich_s: float
    cpu_enrich_stage_process_s: float  # of cpu_enrich_s: the stage process, pool workers apart
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


async def run_once(
    bootstrap: str, pages: list[bytes], count: int, workers: int, replicas: int = 1
) -> E2eRun:
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
            enrich_settings = settings.model_copy(update={"api": ApiSettings(enabled=False)})
            enrich = [ServiceProcess(enrich_settings, ["enrich"]) for _ in range(replicas)]
            async with running(fetch, *enrich):
                meter = CpuMeter([fetch.pid])
                enrich_meter = CpuMeter([e.pid for e in enrich])
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
                fetch_rss = fetch.peak_rss()
                enrich_rss = {
                    key: max(e.peak_rss()[key] for e in enrich)
                    for key in ("stage_mb", "max_child_mb")
                }
    articles = sum(1 for topic in seen.values() if topic == settings.topics.articles)
    cpu = cpu_fetch + cpu_enrich
    return E2eRun(
        workers=workers,
        replicas=replicas,
        articles=articles,
        dead_letters=count - articles,
        wall_s=meter.wall_s,
        cpu_s=cpu,
        cpu_fetch_s=cpu_fetch,
        cpu_enrich_s=cpu_enrich,
        cpu_enrich_stage_process_s=enrich_meter.roots_seconds,
        articles_per_s=count / meter.wall_s,
        articles_per_cpu_s=count / cpu,
        fetch_rss_mb=fetch_rss["stage_mb"],
        enrich_rss_mb=enrich_rss["stage_mb"],
        worker_rss_mb=enrich_rss["max_child_mb"],
        load_avg=load,
    )


def build_article_floor(pages: list[bytes]) -> float:
    """CPU seconds per page of the enrich stage's own work (``build_article``) in a loop."""
    records = [
        page_from_text(
            page.decode("utf-8", errors="replace"),
            url=f"http://floor.example/{i}",
            content_type="text/html",
        )
        for i, page in enumerate(pages)
    ]
    build_article(records[0], 5_000_000)  # load the classifier outside the timing
    started = time.process_time()
    for record in records:
        build_article(record, 5_000_000)
    return (time.process_time() - started) / len(records)


async def bench(
    count: int, distinct: int, workers: list[int], repeat: int, replicas: int = 1
) -> dict[str, Any]:
    pages = benchmark_pages(distinct)
    prime_extractor()  # as every pool worker does at start: both sides measured warm
    floor_s = build_article_floor(pages)
    # (pool workers, enrich processes) of each run: the pool sizes in one process, then
    # the replicas of one worker each.
    shapes = [(n, 1) for n in workers] + ([(1, replicas)] if replicas > 1 else [])
    runs: list[E2eRun] = []
    bases: list[float] = []
    async with EmbeddedBroker() as broker:
        for _ in range(repeat):
            for n, procs in shapes:
                # The baseline right before each run, so that both see the same machine.
                bases.append(bare_trafilatura(pages))
                runs.append(await run_once(broker.bootstrap_servers, pages, count, n, procs))
    # The cost figures are those of one enrich process, as before replicas were measured.
    single = [(run, base) for run, base in zip(runs, bases, strict=True) if run.replicas == 1]
    ratios = [run.cpu_s / count / base for run, base in single]
    base_s = statistics.median(bases)
    per_article = statistics.median(run.cpu_s for run, _ in single) / count

    def wall_rate(n: int, procs: int) -> float:
        return statistics.median(
            r.articles_per_s for r in runs if (r.workers, r.replicas) == (n, procs)
        )

    speedup = wall_rate(workers[-1], 1) / wall_rate(workers[0], 1)
    replica_speedup = (
        wall_rate(1, replicas) / wall_rate(1, 1) if replicas > 1 and 1 in workers else None
    )
    replica_ratios = [
        run.cpu_s / count / base for run, base in zip(runs, bases, strict=True) if run.replicas > 1
    ]
    return {
        "pages": count,
        "distinct_pages": len(pages),
        "repeat": repeat,
        "bare_trafilatura_ms_per_page": base_s * 1000,
        "bare_trafilatura_pages_per_cpu_s": 1 / base_s,
        "build_article_ms_per_page": floor_s * 1000,
        "pipeline_ms_per_article": per_article * 1000,
        "cost_ratio": statistics.median(ratios),
        "cost_ratios": ratios,
        "goal_ratio": GOAL_RATIO,
        "scaling_speedup": speedup,
        "replicas": replicas,
        "replica_speedup": replica_speedup,
        "replica_cost_ratio": statistics.median(replica_ratios) if replica_ratios else None,
        "runs": [asdict(run) for run in runs],
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"end to end: {result['pages']} pages ({result['distinct_pages']} distinct), "
        f"bare trafilatura {result['bare_trafilatura_ms_per_page']:.1f} ms CPU/page "
        f"({result['bare_trafilatura_pages_per_cpu_s']:.1f} pages/s/core), "
        f"build_article in a loop {result['build_article_ms_per_page']:.1f} ms"
    )
    print(
        "enrich procs x workers | articles | DLQ | wall s | art/s "
        "| CPU s (fetch+enrich, of it stage processes) "
        "| art/s/core | RSS fetch/enrich/worker MB | load"
    )
    for run in result["runs"]:
        shape = f"{run['replicas']} x {run['workers']}"
        print(
            f"{shape:>21} | {run['articles']:8} | {run['dead_letters']:3} "
            f"| {run['wall_s']:6.1f} | {run['articles_per_s']:5.1f} "
            f"| {run['cpu_s']:6.1f} ({run['cpu_fetch_s']:.1f}+{run['cpu_enrich_s']:.1f}, "
            f"{run['cpu_enrich_stage_process_s']:.1f}) "
            f"| {run['articles_per_cpu_s']:10.1f} "
            f"| {run['fetch_rss_mb']:.0f}/{run['enrich_rss_mb']:.0f}/{run['worker_rss_mb']:.0f} "
            f"| {run['load_avg']:.1f}"
        )
    ratios = ", ".join(f"{r:.2f}" for r in result["cost_ratios"])
    print(
        f"pipeline {result['pipeline_ms_per_article']:.1f} ms CPU/article = "
        f"{result['cost_ratio']:.2f}x bare trafilatura, median of {ratios} "
        f"(goal <= {GOAL_RATIO}x); scaling 1 -> {max(r['workers'] for r in result['runs'])} "
        f"workers: {result['scaling_speedup']:.2f}x wall-clock"
    )
    if result["replica_speedup"] is not None:
        print(
            f"scaling 1 -> {result['replicas']} enrich processes of 1 worker each: "
            f"{result['replica_speedup']:.2f}x wall-clock, at "
            f"{result['replica_cost_ratio']:.2f}x bare trafilatura per article"
        )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 pages instead of 362")
    parser.add_argument("--pages", type=int, default=None)
    parser.add_argument("--workers", default="1,2", help="enrich pool sizes to run, in order")
    parser.add_argument(
        "--replicas",
        type=int,
        default=2,
        help="enrich processes (1 worker each) of the replica run; 1 skips it",
    )
    parser.add_argument("--repeat", type=int, default=None, help="runs of each (3; --quick 1)")
    args = parser.parse_args(argv)
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    count = args.pages or (60 if args.quick else 362)
    workers = [int(w) for w in args.workers.split(",")]
    repeat = args.repeat or (1 if args.quick else 3)
    result = asyncio.run(bench(count, min(count, 181), workers, repeat, args.replicas))
    report(result)
    return result


if __name__ == "__main__":
    main()
