"""Plain-text benchmark: small text/plain pages through the enrich stage and publish, per core.

The five seeds (samples/seeds) are replicated to N page records (10,000; --quick
2,000) with their own url_id and URL each and produced straight to
``news.pages`` before the enrich stage starts. The enrich stage then runs in a
process of its own (with its pool) until every record has an article on
``news.articles`` or a dead letter; its CPU time (process tree, pool workers
included) gives records/s per core (goal >= 1,500).

Baseline, same run: ``build_article`` (cleaning + tagging, the stage's own work)
on the same records in a plain loop in this process; the ratio is the stage's
CPU per record over that floor.

Transport floor, same run: the same records through the stage's runner and
publisher in this process, with a stage that hands back a prebuilt article (no
pool, no work): what consuming, dispatching, producing and committing cost per
record, whatever the stage does.

Usage: python -m bench.plaintext [--quick] [--records N] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

from bench.common import (
    CpuMeter,
    ServiceProcess,
    bench_settings,
    follow,
    load_average,
    seed_texts,
)
from newsingest.broker import Cluster, EmbeddedBroker
from newsingest.broker.publisher import Outgoing, Publisher
from newsingest.config import ApiSettings, EnrichSettings, Settings
from newsingest.enrich import build_article
from newsingest.localrun import page_from_text
from newsingest.logs import configure_logging
from newsingest.metrics import Metrics
from newsingest.pipeline import enrich_handler
from newsingest.records import EncodedArticle, PageRecord, encode
from newsingest.runner import Message, StageRunner

GOAL_PER_CORE = 1500.0
_PRODUCE_CHUNK = 500


def page_records(count: int) -> list[PageRecord]:
    seeds = [text.decode("utf-8") for text in seed_texts()]
    return [
        page_from_text(
            seeds[i % len(seeds)],
            url=f"https://plain.example/{i}/seed{i % len(seeds)}.txt",
            content_type="text/plain; charset=utf-8",
        )
        for i in range(count)
    ]


def floor_per_record(records: list[PageRecord], sample: int = 500) -> float:
    """CPU seconds per record of ``build_article`` in a plain loop (the stage's own work)."""
    build_article(records[0], 5_000_000)  # load the classifier outside the timing
    chosen = records[:sample]
    started = time.process_time()
    for record in chosen:
        build_article(record, 5_000_000)
    return (time.process_time() - started) / len(chosen)


async def transport_per_record(cluster: Cluster, settings: Settings, count: int) -> float:
    """CPU seconds per record of the runner and publisher alone, in this process: the
    records already on the pages topic, read again by a group of its own, through a
    stage that returns one prebuilt article per seed."""
    prebuilt = {
        r.url.rsplit("/", 1)[1]: EncodedArticle.of(build_article(r, 5_000_000))
        for r in page_records(len(seed_texts()))
    }

    async def no_work(page: PageRecord) -> EncodedArticle:
        return prebuilt[page.url.rsplit("/", 1)[1]]

    handle = enrich_handler(no_work, settings.topics)
    handled, all_handled = 0, asyncio.Event()

    async def counting(message: Message) -> Sequence[Outgoing]:
        nonlocal handled
        outputs = await handle(message)
        handled += 1
        if handled >= count:
            all_handled.set()
        return outputs

    metrics = Metrics()
    async with Publisher(cluster.producer("transport"), metrics) as publisher:
        runner = StageRunner(
            stage="transport",
            consumer=cluster.consumer("transport", group="transport-floor"),
            topics=[settings.topics.pages],
            handler=counting,
            publisher=publisher,
            dlq_topic=settings.topics.dlq,
            settings=settings.runner,
            metrics=metrics,
            service_version="bench",
        )
        stop = asyncio.Event()
        started = time.process_time()
        running = asyncio.create_task(runner.run(stop))
        await asyncio.wait_for(all_handled.wait(), 300)
        stop.set()
        await running
        return (time.process_time() - started) / count


async def run(count: int, workers: int) -> dict[str, Any]:
    records = page_records(count)
    floor_s = floor_per_record(records)
    async with EmbeddedBroker() as broker:
        settings = bench_settings(
            broker.bootstrap_servers,
            enrich=EnrichSettings(workers=workers),
            api=ApiSettings(enabled=False),
        )
        async with Cluster(settings) as cluster:
            async with Publisher(cluster.producer("bench"), Metrics()) as publisher:
                outgoing = [
                    Outgoing(settings.topics.pages, encode(r), key=r.url_id.encode())
                    for r in records
                ]
                for start in range(0, count, _PRODUCE_CHUNK):
                    await publisher.publish(outgoing[start : start + _PRODUCE_CHUNK])
            done = {"articles": 0, "dlq": 0}

            def record(topic: str, value: bytes) -> None:
                done["articles" if topic == settings.topics.articles else "dlq"] += 1

            async with ServiceProcess(settings, ["enrich"]) as enrich:
                meter = CpuMeter([enrich.pid])
                meter.start()
                await follow(
                    cluster,
                    [settings.topics.articles, settings.topics.dlq],
                    record,
                    lambda: done["articles"] + done["dlq"] >= count,
                    within_s=600,
                )
                load = load_average()
                cpu = meter.stop()
                rss = enrich.peak_rss()
            transport_s = await transport_per_record(cluster, settings, count)
    per_core = count / cpu
    return {
        "records": count,
        "workers": workers,
        "articles": done["articles"],
        "dead_letters": done["dlq"],
        "wall_s": meter.wall_s,
        "cpu_s": cpu,
        "cpu_stage_process_s": meter.roots_seconds,
        "records_per_s": count / meter.wall_s,
        "records_per_cpu_s": per_core,
        "floor_records_per_cpu_s": 1 / floor_s,
        "cost_ratio": (cpu / count) / floor_s,
        "transport_ms_per_record": transport_s * 1e3,
        "stage_ms_per_record": cpu / count * 1e3,
        "floor_ms_per_record": floor_s * 1e3,
        "goal_per_core": GOAL_PER_CORE,
        "enrich_rss_mb": rss["stage_mb"],
        "worker_rss_mb": rss["max_child_mb"],
        "load_avg": load,
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"plain text: {result['records']} records, {result['workers']} workers, "
        f"{result['articles']} articles, {result['dead_letters']} dead letters"
    )
    print(
        f"enrich+publish {result['records_per_cpu_s']:.0f} records/s/core "
        f"(goal >= {GOAL_PER_CORE:.0f}); {result['records_per_s']:.0f} records/s wall-clock; "
        f"CPU {result['cpu_s']:.1f} s ({result['cpu_stage_process_s']:.1f} s in the stage process, "
        f"the rest in pool workers) over {result['wall_s']:.1f} s; load {result['load_avg']:.1f}"
    )
    print(
        f"floor (build_article in a loop) {result['floor_records_per_cpu_s']:.0f} records/s/core; "
        f"stage cost = {result['cost_ratio']:.2f}x the floor; "
        f"RSS enrich {result['enrich_rss_mb']:.0f} MB, worker {result['worker_rss_mb']:.0f} MB"
    )
    print(
        f"per record: stage {result['stage_ms_per_record']:.3f} ms CPU = build_article "
        f"{result['floor_ms_per_record']:.3f} ms + the rest; runner and publisher alone "
        f"(prebuilt articles, no pool) {result['transport_ms_per_record']:.3f} ms"
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 records instead of 10,000")
    parser.add_argument("--records", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    # The in-process transport floor runs a StageRunner here: log at the stage processes'
    # level, or structlog's unconfigured default renders a debug line per record into it.
    configure_logging("warning", "console")
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    count = args.records or (2_000 if args.quick else 10_000)
    result = asyncio.run(run(count, args.workers))
    report(result)
    return result


if __name__ == "__main__":
    main()
