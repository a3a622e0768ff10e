"""What the pipeline benchmarks share: broker, settings, service processes, origin, meters.

Each stage under test runs as its own process (``ServiceProcess``: the real
``App`` with a subset of stages), so its CPU time and peak RSS can be read from
``/proc`` apart from the benchmark's own load generator, origin and reader.
CPU time is counted over the process tree (the enrich stage's forkserver and
pool workers included); peak RSS is reported per process (``VmHWM``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import multiprocessing
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson
from aiohttp import web
from aiokafka import TopicPartition

from newsingest.broker import Cluster
from newsingest.config import KafkaSettings, Settings, TopicSettings

REPO = Path(__file__).resolve().parents[1]
EVAL_HTML = REPO.parent / "shared/eval-data/article-extraction-benchmark/html"
SEEDS = REPO / "samples/seeds"
_CLK_TCK = os.sysconf("SC_CLK_TCK")
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") / 1024


# --- inputs ------------------------------------------------------------------------


def benchmark_pages(limit: int | None = None) -> list[bytes]:
    """HTML of the article-extraction benchmark pages (gunzipped), sorted by file name."""
    files = sorted(EVAL_HTML.glob("*.html.gz"))[:limit]
    return [gzip.decompress(path.read_bytes()) for path in files]


def seed_texts() -> list[bytes]:
    return [path.read_bytes() for path in sorted(SEEDS.glob("*.txt"))]


# --- settings ----------------------------------------------------------------------


def bench_settings(bootstrap: str, partitions: int = 6, **groups: Any) -> Settings:
    """Settings on ``bootstrap`` with topics and groups of their own, built in code."""
    prefix = f"b{uuid.uuid4().hex[:8]}"
    kafka = groups.pop("kafka", None) or KafkaSettings(
        bootstrap_servers=bootstrap,
        group_prefix=prefix,
        idempotence=False,  # the embedded broker has no InitProducerId
        session_timeout_ms=6_000,
        fetch_max_wait_ms=100,  # as the service's default on the embedded broker
    )
    names = ("urls", "pages", "articles", "strikes", "dlq", "seen", "incidents")
    topics = TopicSettings(
        partitions=partitions, **{name: f"{prefix}.news.{name}" for name in names}
    )
    return Settings(kafka=kafka, topics=topics, log_level="warning", **groups)


# --- /proc meters ------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from "state" on


def process_tree(root: int) -> list[int]:
    """``root`` and its live descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU seconds of the processes (reaped children's time included)."""
    ticks = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return ticks / _CLK_TCK


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM) in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def load_average() -> float:
    return os.getloadavg()[0]


class CpuMeter:
    """CPU seconds spent by process trees between ``start()`` and ``stop()``."""

    def __init__(self, roots: Sequence[int]) -> None:
        self._roots = list(roots)
        self._before: dict[int, float] = {}
        self.seconds = 0.0
        self.roots_seconds = 0.0  # the stage processes alone, without their pool workers
        self.by_pid: dict[int, float] = {}
        self.wall_s = 0.0
        self._started = 0.0

    def _snapshot(self) -> dict[int, float]:
        return {pid: cpu_seconds([pid]) for root in self._roots for pid in process_tree(root)}

    def start(self) -> None:
        self._before = self._snapshot()
        self._started = time.perf_counter()

    def stop(self) -> float:
        self.wall_s = time.perf_counter() - self._started
        after = self._snapshot()
        self.by_pid = {pid: t - self._before.get(pid, 0.0) for pid, t in after.items()}
        self.seconds = sum(self.by_pid.values())
        self.roots_seconds = sum(self.by_pid.get(pid, 0.0) for pid in self._roots)
        return self.seconds


# --- a stage in its own process -----------------------------------------------------


def _service_main(settings: Settings, stages: list[str], conn: Connection) -> None:
    from newsingest.logs import configure_logging

    configure_logging("warning", "console")
    profile_dir = os.environ.get("BENCH_PROFILE")  # a directory: profile the stage process
    if not profile_dir:
        asyncio.run(_service(settings, stages, conn))
        return
    import cProfile

    # CPU time of this thread, not wall time: a syscall that waits, or a process that
    # waits for a core on a busy machine, would otherwise look like work.
    with cProfile.Profile(time.thread_time) as profiler:
        asyncio.run(_service(settings, stages, conn))
    profiler.dump_stats(Path(profile_dir) / f"{'-'.join(stages)}.prof")


async def _service(settings: Settings, stages: list[str], conn: Connection) -> None:
    from newsingest.app import App, install_signal_handlers

    stop = asyncio.Event()
    install_signal_handlers(stop)
    app = App(settings, stages)
    running = asyncio.create_task(app.run(stop))
    trace_to = os.environ.get("BENCH_TRACEMALLOC")  # a file: where the peak's memory is held
    if trace_to:
        watcher = asyncio.create_task(_trace_peak(Path(trace_to)))
        running.add_done_callback(lambda _: watcher.cancel())
    await app.started.wait()
    for joined in app.health.stages.values():
        await joined.wait()
    conn.send(app.api.port if app.api is not None else 0)
    await running


async def _trace_peak(out: Path, every_s: float = 0.05, top: int = 12) -> None:
    """Keep, in ``out``, the allocation sites holding the most memory at the traced peak."""
    import tracemalloc

    tracemalloc.start(8)
    highest = 0
    while True:
        await asyncio.sleep(every_s)
        current, _ = tracemalloc.get_traced_memory()
        if current <= highest:
            continue
        highest = current
        lines = [f"traced peak {highest / 1e6:.1f} MB"]
        for stat in tracemalloc.take_snapshot().statistics("traceback")[:top]:
            lines.append(f"{stat.size / 1e6:.1f} MB in {stat.count} blocks")
            lines += stat.traceback.format()[-6:]
        await asyncio.to_thread(out.write_text, "\n".join(lines) + "\n")


class ServiceProcess:
    """``App(settings, stages)`` in a child process; ``start()`` returns once every
    stage has joined its group; ``stop()`` sends SIGTERM and waits for the drain."""

    def __init__(self, settings: Settings, stages: Sequence[str]) -> None:
        self.settings = settings
        self.stages = list(stages)
        self.api_port = 0
        self._process: multiprocessing.process.BaseProcess | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None
        assert self._process.pid is not None
        return self._process.pid

    async def start(self, within_s: float = 120.0) -> None:
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_service_main, args=(self.settings, self.stages, theirs), daemon=False
        )
        self._process.start()
        theirs.close()
        deadline = time.monotonic() + within_s
        while not ours.poll():
            if time.monotonic() > deadline or not self._process.is_alive():
                raise RuntimeError(f"service {self.stages} did not become ready")
            await asyncio.sleep(0.05)
        self.api_port = ours.recv()

    def peak_rss(self) -> dict[str, float]:
        """Peak RSS (MB) of the stage process and, separately, of its largest child."""
        tree = process_tree(self.pid)
        children = [peak_rss_mb(pid) for pid in tree[1:]]
        return {"stage_mb": peak_rss_mb(self.pid), "max_child_mb": max(children, default=0.0)}

    async def stop(self, within_s: float = 40.0) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if not process.is_alive():
            process.join()
            return
        assert process.pid is not None
        os.kill(process.pid, signal.SIGTERM)
        await asyncio.to_thread(process.join, within_s)
        if process.is_alive():
            process.kill()
        process.join()

    async def __aenter__(self) -> ServiceProcess:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


@contextlib.asynccontextmanager
async def running(*services: ServiceProcess) -> AsyncIterator[None]:
    """Start the services together; stop every one of them on the way out, even on failure."""
    try:
        started = await asyncio.gather(*(s.start() for s in services), return_exceptions=True)
        for outcome in started:
            if isinstance(outcome, BaseException):
                raise outcome
        yield
    finally:
        await asyncio.gather(*(s.stop() for s in services), return_exceptions=True)


# --- a loopback origin ---------------------------------------------------------------


@dataclass
class Origin:
    """Serves ``pages`` (path -> (body, content type)) after ``delay_s``, on ``hosts``
    loopback addresses (127.0.0.1, 127.0.0.2, ...: distinct hosts to the fetch stage,
    with politeness and connection pools of their own) sharing one port."""

    pages: Mapping[str, tuple[bytes, str]]
    delay_s: float = 0.0
    hosts: int = 1
    port: int = 0
    _runner: web.AppRunner | None = field(default=None, repr=False)

    def url(self, path: str, host: int = 0) -> str:
        return f"http://127.0.0.{1 + host % self.hosts}:{self.port}{path}"

    @property
    def allow(self) -> str:
        return f"127.0.0.1:{self.port}" if self.hosts == 1 else "127.0.0.0/24"

    async def __aenter__(self) -> Origin:
        app = web.Application()
        app.router.add_get("/{path:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        for host in range(self.hosts):
            site = web.TCPSite(self._runner, f"127.0.0.{1 + host}", self.port, backlog=2048)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _serve(self, request: web.Request) -> web.Response:
        if request.path == "/robots.txt":
            return web.Response(text="User-agent: *\nAllow: /\n")
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        page = self.pages.get(request.path)
        if page is None:
            return web.Response(status=404, text="not found")
        return web.Response(body=page[0], headers={"Content-Type": page[1]})


# --- reading outputs -----------------------------------------------------------------


async def follow(
    cluster: Cluster,
    topics: Sequence[str],
    on_record: Callable[[str, bytes], None],
    done: Callable[[], bool],
    *,
    within_s: float,
    from_end: bool = False,
) -> None:
    """Feed every record of ``topics`` to ``on_record(topic, value)`` until ``done()``."""
    consumer = cluster.consumer(f"bench-{uuid.uuid4().hex[:6]}", group=None)
    await consumer.start()
    try:
        tps = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(tps)
        if from_end:
            await consumer.seek_to_end(*tps)
            for tp in tps:
                await consumer.position(tp)
        else:
            await consumer.seek_to_beginning(*tps)
        async with asyncio.timeout(within_s):
            while not done():
                for batch in (await consumer.getmany(timeout_ms=100)).values():
                    for message in batch:
                        on_record(message.topic, message.value or b"")
    finally:
        await consumer.stop()


def url_of(value: bytes) -> str:
    """The input URL of an article or dead letter."""
    record = orjson.loads(value)
    return str(record.get("url") or "")


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]
