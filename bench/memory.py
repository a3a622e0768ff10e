"""Memory benchmarks: the fetch stage under a burst, and every stage idle and loaded.

Default run: peak RSS of the fetch stage with 500 fetches in flight at once.
The fetch stage (its own process, with the API) gets 500 URLs at once; the
loopback origin holds every answer for 2 s, then sends a page of the
article-extraction benchmark (median 112 KB), so all 500 are in flight
together. The runner's and fetcher's bounds are raised to let them (the
defaults allow 256 records per stage and 2 requests per host). The origin
counts the requests it holds at once, which shows the 500 were really
concurrent. Goal: <= 300 MB for the stage process. The baseline in the same
run is the same process's peak RSS when idle (after start-up).

``--stages``: what the Kubernetes requests and limits are sized from. Each
stage runs alone in its own process (the app with its API, default settings
except where a load needs otherwise), on the embedded broker:

* idle: peak RSS once the stage is ready, before any input (incidents: after
  restoring 10,000 open incidents from the compacted topic, and apart with
  none, which gives the cost of one open incident);
* loaded: peak RSS after a load that fills what its settings let it hold:
  discover polls one sitemap of 10,000 URLs (ten times a news sitemap's cap),
  so its seen-URL memory holds 10,000 ids; fetch gets 1,000 benchmark pages
  (112 KB median) whose answers the origin holds 2 s, so the default 200
  requests are in flight at once; enrich (2 pool workers, as in k8s/base)
  gets the 181 benchmark pages, the 5 seeds and one 5 MB page (the fetch
  body cap); incidents links 300 strike reports against the 10,000.

Peak RSS is ``VmHWM`` per process: the stage process, and apart the largest
pool worker. "tree PSS" is the largest sum of ``Pss`` over the stage process
and all its children seen while loaded (sampled every 0.2 s): shared pages
counted once, close to what the container's memory cgroup charges.

Peak RSS of each stage under the end-to-end load is reported by ``bench.e2e``.

``--incidents-breakdown``: where an open incident's memory goes. In this one
process, the 10,000 synthetic incident records are encoded as the compacted
topic holds them, then decoded and restored through the stage's start-up path
under ``tracemalloc``; it prints what stays allocated per open incident,
grouped by the line that allocated it.

Usage: python -m bench.memory [--quick] [--in-flight N] [--stages [--only STAGE,...]]
       python -m bench.memory --incidents-breakdown [--open N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import random
import re
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

from bench.common import (
    Origin,
    ServiceProcess,
    bench_settings,
    benchmark_pages,
    follow,
    load_average,
    peak_rss_mb,
    process_tree,
    seed_texts,
    url_of,
)
from newsingest.app import STAGES
from newsingest.broker import Cluster, EmbeddedBroker
from newsingest.broker.publisher import Outgoing, Publisher
from newsingest.config import (
    ApiSettings,
    DiscoverSettings,
    EnrichSettings,
    FetchSettings,
    RunnerSettings,
    Settings,
)
from newsingest.localrun import page_from_text
from newsingest.metrics import Metrics
from newsingest.records import encode

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


# --- every stage, idle and loaded (--stages) ------------------------------------------

SITEMAP_URLS = 10_000  # discover publishes one URL at a time: about 75 a second here
FETCH_URLS = 1_000
OPEN_INCIDENTS = 10_000
STRIKE_REPORTS = 300
BIG_PAGE_CHARS = 5_000_000  # the fetch body cap (5 MiB) as enrich receives it
ENRICH_WORKERS = 2  # k8s/base requests 2 cores: 2 pool workers


def pss_mb(pids: list[int]) -> float:
    """Sum of the processes' proportional set sizes (shared pages split between them)."""
    total_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
                    break
        except OSError:
            continue
    return total_kb / 1024


class TreePss:
    """The largest tree PSS of a process and its children while running (sampled)."""

    def __init__(self, root: int, every_s: float = 0.2) -> None:
        self.root = root
        self.every_s = every_s
        self.peak_mb = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, pss_mb(process_tree(self.root)))
            await asyncio.sleep(self.every_s)

    async def __aenter__(self) -> TreePss:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self.peak_mb = max(self.peak_mb, pss_mb(process_tree(self.root)))


Load = Callable[[Settings, Cluster, ServiceProcess], Awaitable[str]]


async def measure(settings: Settings, stage: str, load: Load) -> dict[str, Any]:
    """Idle and loaded peak RSS of ``stage`` alone in a process, ``load`` applied between."""
    async with Cluster(settings) as cluster, ServiceProcess(settings, [stage]) as service:
        idle = service.peak_rss()
        idle_pss = pss_mb(process_tree(service.pid))
        started = time.perf_counter()
        async with TreePss(service.pid) as tree:
            what = await load(settings, cluster, service)
        loaded = service.peak_rss()
        children = [peak_rss_mb(pid) for pid in process_tree(service.pid)[1:]]
        return {
            "stage": stage,
            "load": what,
            "load_s": time.perf_counter() - started,
            "idle_mb": idle["stage_mb"],
            "loaded_mb": loaded["stage_mb"],
            "worker_idle_mb": idle["max_child_mb"],
            "worker_loaded_mb": loaded["max_child_mb"],
            "tree_idle_pss_mb": idle_pss,
            "tree_loaded_pss_mb": tree.peak_mb,
            "children_peak_mb": sorted(children, reverse=True),
            "load_average": load_average(),
        }


async def _publish(cluster: Cluster, records: list[Outgoing]) -> None:
    async with Publisher(cluster.producer("bench-load"), Metrics()) as publisher:
        for start in range(0, len(records), 500):
            await publisher.publish(records[start : start + 500])


async def _count(cluster: Cluster, topics: list[str], count: int, within_s: float) -> None:
    seen = 0

    def one(_topic: str, _value: bytes) -> None:
        nonlocal seen
        seen += 1

    await follow(cluster, topics, one, lambda: seen >= count, within_s=within_s)


def _sitemap(base: str, count: int) -> bytes:
    body = "".join(f"<url><loc>{base}/story/{n:06d}.html</loc></url>" for n in range(count))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'
    ).encode()


async def discover_loaded(bootstrap: str, urls: int, workdir: Path) -> dict[str, Any]:
    """Idle: no sources. Loaded: one sitemap of ``urls`` URLs, polled at once."""
    pages = {"/sitemap.xml": (_sitemap("https://news.example", urls), "application/xml")}
    async with Origin(pages) as origin:
        sources = workdir / "sources.yaml"
        sources.write_text(
            f"sources:\n  - name: big\n    kind: sitemap\n    url: {origin.url('/sitemap.xml')}\n"
            "    interval_s: 3600\n"
        )
        idle_settings = bench_settings(bootstrap, api=ApiSettings(port=0))
        idle = await measure(idle_settings, "discover", _nothing)
        settings = bench_settings(
            bootstrap,
            api=ApiSettings(port=0),
            fetch=FetchSettings(allow=[origin.allow]),
            discover=DiscoverSettings(jitter=0),
            sources_file=sources,
        )

        async def load(settings: Settings, cluster: Cluster, _: ServiceProcess) -> str:
            await _count(cluster, [settings.topics.urls], urls, within_s=600)
            return f"one sitemap of {urls:,} URLs polled: {urls:,} ids in the seen-URL memory"

        loaded = await measure(settings, "discover", load)
    return loaded | {
        "idle_mb": idle["idle_mb"],
        "tree_idle_pss_mb": idle["tree_idle_pss_mb"],
    }


async def _nothing(_settings: Settings, _cluster: Cluster, _service: ServiceProcess) -> str:
    return "none"


async def fetch_loaded(bootstrap: str, urls: int) -> dict[str, Any]:
    html = benchmark_pages()
    paths = [f"/f/{i}.html" for i in range(urls)]
    pages = {path: (html[i % len(html)], HTML) for i, path in enumerate(paths)}
    origin = CountingOrigin(pages, delay_s=HOLD_S)
    async with origin:
        # Defaults but for what one loopback host changes: it stands for many hosts, so
        # no politeness, and its URLs (keyed by host) spread over the partitions as many
        # hosts' would (the per-partition bound, 16, would otherwise hold them to 16).
        settings = bench_settings(
            bootstrap,
            api=ApiSettings(port=0),
            fetch=FetchSettings(allow=[origin.allow], host_delay_s=0, max_per_host=1_000),
            runner=RunnerSettings(max_in_flight_per_partition=RunnerSettings().max_in_flight),
        )

        async def load(settings: Settings, cluster: Cluster, service: ServiceProcess) -> str:
            async with httpx.AsyncClient() as client:
                answer = await client.post(
                    f"http://127.0.0.1:{service.api_port}/v1/urls",
                    json={"urls": [origin.url(p) for p in paths]},
                )
                answer.raise_for_status()
            await _count(cluster, [settings.topics.pages, settings.topics.dlq], urls, 600)
            return (
                f"{urls:,} benchmark pages, answers held {HOLD_S:.0f} s "
                f"({origin.peak} in flight at once)"
            )

        return await measure(settings, "fetch", load)


def _big_page(chars: int) -> str:
    """An HTML article of ``chars`` characters: the benchmark pages' paragraphs, repeated."""
    paragraphs = [
        p
        for page in benchmark_pages()
        for p in re.findall(r"<p[\s>].*?</p>", page.decode("utf-8", "replace"), re.S)
    ]
    parts, size = ["<html><head><title>Big</title></head><body><article>"], 0
    while size < chars:
        for paragraph in paragraphs:
            parts.append(paragraph)
            size += len(paragraph)
            if size >= chars:
                break
    return "".join(parts)[: chars - 25] + "</article></body></html>"


async def enrich_loaded(bootstrap: str, workers: int) -> dict[str, Any]:
    html = [page.decode("utf-8", "replace") for page in benchmark_pages()]
    texts = [seed.decode("utf-8") for seed in seed_texts()]
    inputs = [(f"https://bench.example/html/{n}", "text/html", b) for n, b in enumerate(html)]
    inputs += [(f"https://bench.example/seed/{n}", "text/plain", b) for n, b in enumerate(texts)]
    inputs.append(("https://bench.example/big", "text/html", _big_page(BIG_PAGE_CHARS)))
    settings = bench_settings(
        bootstrap, api=ApiSettings(port=0), enrich=EnrichSettings(workers=workers)
    )

    async def load(settings: Settings, cluster: Cluster, _: ServiceProcess) -> str:
        pages = [page_from_text(body, url=u, content_type=t) for u, t, body in inputs]
        await _publish(
            cluster,
            [Outgoing(settings.topics.pages, encode(p), p.url_id.encode()) for p in pages],
        )
        topics = [settings.topics.articles, settings.topics.dlq]
        await _count(cluster, topics, len(pages), within_s=600)
        return (
            f"{len(html)} benchmark pages, {len(texts)} seeds, one {BIG_PAGE_CHARS / 1e6:.0f} MB "
            f"page; {workers} pool workers"
        )

    return await measure(settings, "enrich", load)


async def incidents_loaded(bootstrap: str, open_incidents: int, reports: int) -> dict[str, Any]:
    from bench.incidents import SEEDS as SHARED_SEEDS
    from bench.incidents import Scenes, probe_article, synthetic_incident

    empty = await measure(bench_settings(bootstrap, api=ApiSettings(port=0)), "incidents", _nothing)
    settings = bench_settings(bootstrap, api=ApiSettings(port=0))
    rng = random.Random(9)
    scenes = Scenes(dense=False)
    window = int(settings.incidents.close_after_days)
    incidents = [synthetic_incident(rng, scenes, n, window) for n in range(open_incidents)]
    texts = [p.read_text(encoding="utf-8") for p in sorted(SHARED_SEEDS.glob("*.txt"))]
    probes = [probe_article(rng, scenes, n, rng.choice(texts), window) for n in range(reports)]
    async with Cluster(settings) as cluster:  # the start-up state, before the stage starts
        await _publish(
            cluster,
            [
                Outgoing(settings.topics.incidents, encode(r), r.incident_id.encode())
                for r in incidents
            ],
        )

    async def load(settings: Settings, cluster: Cluster, _: ServiceProcess) -> str:
        await _publish(
            cluster,
            [Outgoing(settings.topics.strikes, encode(a), a.article_id.encode()) for a in probes],
        )
        # Each report publishes at least its incident's new version.
        await _count(cluster, [settings.topics.incidents], open_incidents + reports, 600)
        return f"{open_incidents:,} open incidents restored, {reports} strike reports linked"

    loaded = await measure(settings, "incidents", load)
    per_incident_kb = (loaded["idle_mb"] - empty["idle_mb"]) * 1024 / max(1, open_incidents)
    return loaded | {
        "empty_idle_mb": empty["idle_mb"],
        "per_open_incident_kb": per_incident_kb,
    }


async def stages(quick: bool, only: Sequence[str] = STAGES) -> list[dict[str, Any]]:
    """Each stage of ``only``, idle and loaded, one after another on one embedded broker."""
    scale = 10 if quick else 1
    results = []
    async with EmbeddedBroker() as broker:
        bootstrap = broker.bootstrap_servers
        if "discover" in only:
            with tempfile.TemporaryDirectory() as workdir:
                urls = SITEMAP_URLS // scale
                results.append(await discover_loaded(bootstrap, urls, Path(workdir)))
        if "fetch" in only:
            results.append(await fetch_loaded(bootstrap, FETCH_URLS // scale))
        if "enrich" in only:
            results.append(await enrich_loaded(bootstrap, ENRICH_WORKERS))
        if "incidents" in only:
            reports = STRIKE_REPORTS // scale
            results.append(await incidents_loaded(bootstrap, OPEN_INCIDENTS, reports))
    return results


def incidents_breakdown(open_incidents: int, top: int = 15) -> dict[str, Any]:
    """What stays allocated after restoring ``open_incidents`` records, by allocating line."""
    from bench.incidents import Scenes, synthetic_incident
    from newsingest.incidents import IncidentLinker
    from newsingest.incidents.stage import IncidentStage

    rng = random.Random(9)
    scenes = Scenes(dense=False)
    records = [synthetic_incident(rng, scenes, n, 10) for n in range(open_incidents)]
    table = [(r.incident_id.encode(), encode(r)) for r in records]
    del records
    warm = IncidentStage(IncidentLinker())  # gazetteer and code paths loaded outside the trace
    warm.restore(*table[0])
    del warm
    gc.collect()
    tracemalloc.start()
    stage = IncidentStage(IncidentLinker())
    for key, value in table:
        stage.restore(key, value)
    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    assert stage.linker.open_count == open_incidents
    root = str(Path(__file__).resolve().parents[1]) + "/"
    lines = snapshot.statistics("lineno")
    return {
        "open_incidents": open_incidents,
        "record_bytes": sum(len(value) for _, value in table) / len(table),
        "traced_bytes": sum(s.size for s in lines),
        "top": [
            (f"{s.traceback[0].filename.removeprefix(root)}:{s.traceback[0].lineno}", s.size)
            for s in lines[:top]
        ],
    }


def report_breakdown(result: dict[str, Any]) -> None:
    n = result["open_incidents"]
    print(
        f"{n:,} open incidents restored (records of {result['record_bytes']:.0f} bytes on "
        f"the topic): {result['traced_bytes'] / 2**20:.1f} MiB traced, "
        f"{result['traced_bytes'] / n:.0f} bytes per open incident"
    )
    for where, size in result["top"]:
        print(f"{size / 2**20:8.1f} MiB {size / n:7.0f} B/incident  {where}")


def report_stages(results: list[dict[str, Any]]) -> None:
    print("stage      idle MB  loaded MB  worker idle/loaded MB  tree PSS idle/loaded MB  load")
    for r in results:
        if r["children_peak_mb"]:
            peaks = ", ".join(f"{mb:.0f}" for mb in r["children_peak_mb"])
            print(f"{r['stage']} child processes, peak RSS MB: {peaks}")
        if "empty_idle_mb" in r:
            print(
                f"incidents with nothing restored: idle {r['empty_idle_mb']:.0f} MB; "
                f"{r['per_open_incident_kb']:.0f} KB per open incident"
            )
    for r in results:
        workers = (
            f"{r['worker_idle_mb']:.0f} / {r['worker_loaded_mb']:.0f}"
            if r["worker_loaded_mb"]
            else "-"
        )
        print(
            f"{r['stage']:<10} {r['idle_mb']:7.0f}  {r['loaded_mb']:9.0f}  {workers:>21}  "
            f"{r['tree_idle_pss_mb']:10.0f} / {r['tree_loaded_pss_mb']:<10.0f}  "
            f"{r['load']} ({r['load_s']:.0f} s, load average {r['load_average']:.1f})"
        )


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
    parser.add_argument(
        "--stages", action="store_true", help="every stage idle and loaded (k8s sizing)"
    )
    parser.add_argument("--only", default=",".join(STAGES), help="with --stages: which ones")
    parser.add_argument(
        "--incidents-breakdown",
        action="store_true",
        help="where open incidents' memory goes (tracemalloc, in this process)",
    )
    parser.add_argument("--open", type=int, default=OPEN_INCIDENTS, help="open incidents")
    args = parser.parse_args(argv)
    if args.incidents_breakdown:
        breakdown = incidents_breakdown(args.open)
        report_breakdown(breakdown)
        return breakdown
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    if args.stages:
        per_stage = asyncio.run(stages(args.quick, args.only.split(",")))
        report_stages(per_stage)
        return {"stages": per_stage}
    result = asyncio.run(run(args.in_flight))
    report(result)
    return result


if __name__ == "__main__":
    main()
