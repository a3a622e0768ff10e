"""``newsingest``: the command line. Settings are built here, once, and passed down."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import orjson
import structlog

from newsingest import __version__
from newsingest.config import Settings
from newsingest.logs import configure_logging

log = structlog.get_logger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsingest", description=__doc__)
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run stages (all by default) until SIGTERM/SIGINT")
    run.add_argument("--stages", default=None, help="comma-separated, e.g. fetch,enrich")
    run.add_argument(
        "--with-samples",
        nargs="?",
        const="",
        default=None,
        metavar="DIR",
        help="serve, submit and print sample articles: the .txt and .html files under DIR "
        "(the source tree's samples/ when no DIR is given)",
    )

    broker = sub.add_parser("broker", help="run the embedded broker (development only)")
    broker.add_argument("--port", type=int, default=9092)

    submit = sub.add_parser("submit", help="put URLs on news.urls")
    submit.add_argument("urls", nargs="*")
    submit.add_argument("--file", type=Path, help="a file with one URL per line")

    tail = sub.add_parser("tail", help="print records of a topic as JSON lines")
    tail.add_argument("topic")
    tail.add_argument("--count", type=int, default=None)
    tail.add_argument("--timeout", type=float, default=None, help="seconds without a record")
    tail.add_argument("--from-beginning", action="store_true")

    enrich = sub.add_parser("enrich", help="run the enrich stage on local files, no Kafka")
    enrich.add_argument("files", nargs="*", type=Path)
    enrich.add_argument("--jsonl", action="store_true", help="read JSON lines on stdin")

    fetch = sub.add_parser("fetch", help="run the fetch stage on URLs, no Kafka")
    fetch.add_argument("urls", nargs="+")
    fetch.add_argument("--body", action="store_true", help="include the body")

    evaluate = sub.add_parser("eval", help="measure the classifier or the incident linker")
    evaluate.add_argument("what", choices=["classifier", "incidents"])
    evaluate.add_argument("rest", nargs=argparse.REMAINDER)

    # Listed here for the overview only: main() hands its arguments to its own parser.
    sub.add_parser("incidents", help="link a JSONL file of enriched records", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["incidents"]:
        # Not through a REMAINDER argument: argparse keeps a leading option such as
        # --help for the parent parser, which would print its own help instead.
        settings = Settings()
        configure_logging(settings.log_level, settings.log_format)
        return _delegate("newsingest.incidents.offline", argv[1:])
    args = _parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    if args.command == "eval":
        return _delegate(
            f"newsingest.{args.what.replace('classifier', 'classify')}.evaluate", args.rest
        )
    commands = {
        "run": _run,
        "broker": _broker,
        "submit": _submit,
        "tail": _tail,
        "enrich": _enrich,
        "fetch": _fetch,
    }
    try:
        return asyncio.run(commands[args.command](settings, args))
    except KeyboardInterrupt:
        return 130


def _delegate(module: str, argv: list[str]) -> int:
    import importlib

    entry = importlib.import_module(module)
    result: int = entry.main(argv)
    return result


def _stop_event() -> asyncio.Event:
    from newsingest.app import install_signal_handlers

    stop = asyncio.Event()
    install_signal_handlers(stop)
    return stop


def _samples_dir(given: str) -> Path | None:
    """The directory of ``--with-samples``, or None (said on stderr) when it holds none."""
    from newsingest.samples import SAMPLES_DIR, sample_files

    directory = Path(given).resolve() if given else SAMPLES_DIR
    if sample_files(directory):
        return directory
    # The image holds no source tree: mount one (docker run -v "$PWD/samples:/samples").
    print(
        f"newsingest: no sample articles (.txt, .html) under {directory}; pass --with-samples DIR",
        file=sys.stderr,
    )
    return None


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    from newsingest.app import STAGES, App

    stages = args.stages.split(",") if args.stages else list(STAGES)
    stop = _stop_event()
    if args.with_samples is None:
        await App(settings, stages).run(stop)
        return 0
    from newsingest.samples import SampleServer, submit_and_follow

    directory = _samples_dir(args.with_samples)
    if directory is None:
        return 2
    server = SampleServer(directory)
    await server.start()
    try:
        allow = [*settings.fetch.allow, server.allow]
        fetch = settings.fetch.model_copy(update={"allow": allow})
        app = App(settings.model_copy(update={"fetch": fetch}), stages)
        await app.run(stop, companions=[partial(submit_and_follow, server=server)])
    finally:
        await server.stop()
    return 0


async def _broker(settings: Settings, args: argparse.Namespace) -> int:
    from newsingest.broker import EmbeddedBroker

    stop = _stop_event()
    async with EmbeddedBroker(args.port) as broker:
        print(
            f"embedded broker (memory-only, not for production data) on {broker.bootstrap_servers}\n"
            f"export NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS={broker.bootstrap_servers}\n"
            "export NEWSINGEST_KAFKA_IDEMPOTENCE=false  # Tansu has no idempotent producer\n"
            "export NEWSINGEST_KAFKA_SESSION_TIMEOUT_MS=6000  # Tansu holds joins for half of it",
            flush=True,
        )
        await stop.wait()
    return 0


def _require_cluster(settings: Settings) -> str | None:
    if settings.kafka.bootstrap_servers:
        return settings.kafka.bootstrap_servers
    print(
        "NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS is not set: start a broker (`newsingest broker`) "
        "or point it at your Kafka cluster",
        file=sys.stderr,
    )
    return None


async def _submit(settings: Settings, args: argparse.Namespace) -> int:
    from newsingest.broker import Cluster
    from newsingest.broker.publisher import Publisher
    from newsingest.errors import NewsingestError
    from newsingest.metrics import Metrics
    from newsingest.pipeline import url_output
    from newsingest.urls import url_record

    if _require_cluster(settings) is None:
        return 2
    urls = list(args.urls)
    if args.file:
        urls += [line.strip() for line in args.file.read_text().splitlines() if line.strip()]
    try:
        records = [url_record(u, "cli") for u in urls]
    except NewsingestError as exc:
        print(f"newsingest submit: {exc}", file=sys.stderr)
        return 2
    async with (
        Cluster(settings) as cluster,
        Publisher(cluster.producer("submit"), Metrics()) as pub,
    ):
        await pub.publish([url_output(r, settings.topics) for r in records])
    for record in records:
        print(orjson.dumps({"url": record.url, "url_id": record.url_id}).decode())
    return 0


async def _tail(settings: Settings, args: argparse.Namespace) -> int:
    from aiokafka import TopicPartition

    from newsingest.broker import Cluster

    if _require_cluster(settings) is None:
        return 2
    seen = 0
    async with Cluster(settings) as cluster:
        reset = "earliest" if args.from_beginning else "latest"
        consumer = cluster.consumer("tail", group=None, auto_offset_reset=reset)
        await consumer.start()
        try:
            partitions = consumer.partitions_for_topic(args.topic) or set()
            if not partitions:
                print(f"newsingest tail: no topic {args.topic!r}", file=sys.stderr)
                return 2
            tps = [TopicPartition(args.topic, p) for p in sorted(partitions)]
            consumer.assign(tps)
            if args.from_beginning:
                await consumer.seek_to_beginning(*tps)
            else:
                await consumer.seek_to_end(*tps)
            loop = asyncio.get_running_loop()
            last = loop.time()
            while args.count is None or seen < args.count:
                if args.timeout is not None and loop.time() - last > args.timeout:
                    break
                batch = await consumer.getmany(timeout_ms=200)
                for messages in batch.values():
                    for message in messages:
                        sys.stdout.write(
                            (message.value or b"null").decode("utf-8", "replace") + "\n"
                        )
                        seen += 1
                        last = loop.time()
                        if args.count is not None and seen >= args.count:
                            break
                sys.stdout.flush()
        finally:
            await consumer.stop()
    return 0


async def _enrich(settings: Settings, args: argparse.Namespace) -> int:
    from newsingest.localrun import enrich_inputs, inputs_from_files, inputs_from_jsonl

    inputs = inputs_from_jsonl(sys.stdin) if args.jsonl else inputs_from_files(args.files)
    return await enrich_inputs(settings, inputs, sys.stdout)


async def _fetch(settings: Settings, args: argparse.Namespace) -> int:
    from newsingest.localrun import fetch_urls

    return await fetch_urls(settings, args.urls, sys.stdout, with_body=args.body)


if __name__ == "__main__":
    raise SystemExit(main())
