"""Consume → process → produce, with commits that never lose a record.

The runner knows nothing of articles: it moves bytes between topics through a
``Handler``. Delivery is at-least-once:

- records of a partition are processed concurrently, up to a bound per
  partition, one stage-wide and, if the stage asks, one per message key; a
  record whose key is at its bound waits in the partition's backlog without
  holding an in-flight slot, and records of other keys behind it go first
  (``backlog.py``). The partition is paused while its backlog is full, or
  while a record could start but for the partition's or the stage's bound
  (fetching more would only queue behind it); without a key bound every
  queued record could start, so a backlog holds at most one fetched batch;
- an input offset is committed only when it and every earlier offset of its
  partition have had all their outputs acknowledged (``PartitionOffsets``);
- a failure is retried by re-publishing the input with an attempts header,
  after a jittered exponential backoff (``backoff.py``) waited out without
  holding an in-flight slot, so the partition's other records go on; a wait
  is abandoned on revoke or stop (the offset stays uncommitted and the record
  is redelivered). After the last attempt the record is dead-lettered; the
  DLQ write is on the commit path: until the broker acknowledges it, the
  offset stays uncommitted;
- a produce that fails (broker away) is retried until it succeeds or the
  partition is revoked or the stage stops; the offset then stays uncommitted
  and the record is redelivered.

Each record runs in a fresh context with ``stage``, ``topic``, ``partition``
and ``offset`` bound for structlog, so every log line about it carries them
(and whatever ids its handler binds, such as ``url_id`` or ``article_id``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError, RebalanceInProgressError

from newsingest.broker.publisher import Outgoing, Publisher
from newsingest.config import RunnerSettings
from newsingest.errors import NewsingestError
from newsingest.metrics import Metrics
from newsingest.redact import redact
from newsingest.runner.backlog import Backlog
from newsingest.runner.backoff import retry_delay
from newsingest.runner.deadletter import dead_letter, retry_copy
from newsingest.runner.message import Handler, Message
from newsingest.runner.offsets import PartitionOffsets

log = structlog.get_logger(__name__)

_MAX_POLL_RECORDS = 500
_LAG_INTERVAL_S = 5.0
_PRODUCE_RETRY_S = (0.2, 0.5, 1.0, 2.0, 5.0)


class _AbandonedError(Exception):
    """The partition was revoked or the stage is stopping: leave the offset uncommitted."""


@dataclass(frozen=True, slots=True)
class _Retry:
    copy: Outgoing
    delay_s: float


@dataclass(slots=True)
class _Partition:
    tp: TopicPartition
    backlog: Backlog
    offsets: PartitionOffsets = field(default_factory=PartitionOffsets)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)  # records being processed
    waiting: set[asyncio.Task[None]] = field(default_factory=set)  # failed ones backing off
    abandon: asyncio.Event = field(default_factory=asyncio.Event)  # revoked or stopping
    paused: bool = False
    revoked: bool = False


class StageRunner:
    """Runs one stage's consumer group member until ``stop`` is set."""

    def __init__(
        self,
        *,
        stage: str,
        consumer: AIOKafkaConsumer,
        topics: Sequence[str],
        handler: Handler,
        publisher: Publisher,
        dlq_topic: str,
        settings: RunnerSettings,
        metrics: Metrics,
        service_version: str,
        deadline_s: float | None = None,
        max_in_flight_per_key: int | None = None,
    ) -> None:
        """``deadline_s``: wall-clock limit of one handler call (default
        ``settings.processing_timeout_s``); a stage whose handler bounds its own
        work gives a longer one as a backstop against a hang.

        ``max_in_flight_per_key``: records of one message key processed at once
        (None: no bound; records without a key are never bound). A stage whose
        handler would only wait beyond some concurrency per key sets it, so that
        those records wait in the backlog instead of in slots other keys need."""
        if max_in_flight_per_key is not None and max_in_flight_per_key < 1:
            raise ValueError(f"max_in_flight_per_key must be at least 1: {max_in_flight_per_key}")
        self.stage = stage
        self._consumer = consumer
        self._topics = list(topics)
        self._handler = handler
        self._publisher = publisher
        self._dlq_topic = dlq_topic
        self._settings = settings
        self._metrics = metrics
        self._version = service_version
        self._deadline_s = deadline_s or settings.processing_timeout_s
        self._per_key = max_in_flight_per_key
        # Children of the per-record metrics, made once: labels() validates and locks.
        self._records_in = metrics.records_in.labels(stage)
        self._in_flight_gauge = metrics.in_flight.labels(stage)
        self._processing_seconds = metrics.processing_seconds.labels(stage)
        self._records_out = functools.cache(lambda topic: metrics.records_out.labels(stage, topic))
        self._partitions: dict[TopicPartition, _Partition] = {}
        self._seeding: set[asyncio.Task[None]] = set()
        self._in_flight = 0
        self._stopping = False
        self._advanced = asyncio.Event()  # a committable offset may have moved
        self.joined = asyncio.Event()  # set once the group gave us an assignment (maybe empty)

    # --- lifecycle -------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        self._consumer.subscribe(self._topics, listener=_Listener(self))
        await self._consumer.start()
        background = [
            asyncio.create_task(self._commit_continuously(), name=f"{self.stage}-commit"),
            asyncio.create_task(self._report_lag(), name=f"{self.stage}-lag"),
        ]
        try:
            await self._consume(stop)
        finally:
            self._stopping = True
            for task in [*background, *self._seeding]:
                task.cancel()
            await asyncio.gather(*background, *self._seeding, return_exceptions=True)
            await self._drain(list(self._partitions.values()), self._settings.drain_timeout_s)
            await self._commit(list(self._partitions.values()))
            await self._consumer.stop()  # leaves the group
            log.info("stage stopped", stage=self.stage)

    async def _consume(self, stop: asyncio.Event) -> None:
        stop_wait = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                fetch = asyncio.create_task(
                    self._consumer.getmany(timeout_ms=500, max_records=_MAX_POLL_RECORDS)
                )
                done, _ = await asyncio.wait(
                    {fetch, stop_wait}, return_when=asyncio.FIRST_COMPLETED
                )
                if fetch not in done:
                    fetch.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await fetch
                    break
                for tp, records in fetch.result().items():
                    partition = self._partitions.get(tp)
                    if partition is None or partition.revoked:
                        continue
                    for record in records:
                        message = Message(
                            topic=record.topic,
                            partition=record.partition,
                            offset=record.offset,
                            key=record.key,
                            value=record.value,
                            headers=list(record.headers or ()),
                            timestamp_ms=record.timestamp,
                        )
                        partition.offsets.add(record.offset)
                        partition.backlog.append(message)
                        self._records_in.inc()
                self._dispatch()
        finally:
            stop_wait.cancel()

    # --- dispatch and backpressure ----------------------------------------

    def _dispatch(self) -> None:
        """Start work from the backlogs while the bounds allow; pause what must wait."""
        progress = True
        while progress and self._in_flight < self._settings.max_in_flight:
            progress = False
            for partition in self._partitions.values():
                if self._in_flight >= self._settings.max_in_flight:
                    break
                if partition.backlog.startable and self._has_room(partition):
                    message = partition.backlog.take()
                    assert message is not None  # startable
                    self._start(partition, message)
                    progress = True
        for partition in self._partitions.values():
            self._set_paused(partition, self._must_pause(partition))

    def _must_pause(self, partition: _Partition) -> bool:
        """Fetch on while every record waiting is held by its key's bound: the next ones
        may be of other keys, free to start. Pause when the backlog is full, or when a
        record could start but for the partition's or stage's bounds (more records
        would only wait behind it)."""
        backlog = partition.backlog
        return backlog.startable or len(backlog) >= self._settings.max_backlog_per_partition

    def _has_room(self, partition: _Partition) -> bool:
        settings = self._settings
        return (
            len(partition.tasks) < settings.max_in_flight_per_partition
            and len(partition.waiting) < settings.max_waiting_retries_per_partition
        )

    def _set_paused(self, partition: _Partition, paused: bool) -> None:
        if partition.paused == paused or partition.revoked:
            return
        if paused:
            self._consumer.pause(partition.tp)
        else:
            self._consumer.resume(partition.tp)
        partition.paused = paused
        self._metrics.paused_partitions.labels(self.stage).inc(1 if paused else -1)

    def _start(self, partition: _Partition, message: Message) -> None:
        # A fresh context: log bindings of one record never leak into the next.
        task = asyncio.create_task(self._process(partition, message), context=contextvars.Context())
        partition.tasks.add(task)
        self._in_flight += 1
        self._in_flight_gauge.inc()
        task.add_done_callback(lambda t: self._finished(partition, message, t))

    def _finished(self, partition: _Partition, message: Message, task: asyncio.Task[None]) -> None:
        partition.tasks.discard(task)
        partition.backlog.finished(message)
        self._in_flight -= 1
        self._in_flight_gauge.dec()
        if not self._stopping:
            self._dispatch()

    # --- processing one record --------------------------------------------

    async def _process(self, partition: _Partition, message: Message) -> None:
        with structlog.contextvars.bound_contextvars(**self._where(message)):
            started = time.perf_counter()
            outcome = await self._outcome_for(message)
            if isinstance(outcome, _Retry):
                self._wait_to_retry(partition, message, outcome)
            elif await self._deliver(partition, message, outcome):
                log.debug("record processed", outputs=len(outcome))
            self._processing_seconds.observe(time.perf_counter() - started)

    async def _deliver(
        self, partition: _Partition, message: Message, outputs: Sequence[Outgoing]
    ) -> bool:
        """Publish ``outputs`` and mark the input done; False when abandoned (redelivered)."""
        try:
            await self._publish(partition, outputs)
        except _AbandonedError:
            return False
        partition.offsets.complete(message.offset)
        self._advanced.set()
        return True

    async def _outcome_for(self, message: Message) -> Sequence[Outgoing] | _Retry:
        """The stage's outputs, a retry to wait for, or the DLQ record: always something."""
        deadline = asyncio.timeout(self._deadline_s)
        try:
            async with deadline:  # the handler runs in this task: its log bindings stay
                outputs = await self._handler(message)
        except NewsingestError as exc:
            return self._failure(message, exc)
        except TimeoutError as exc:
            if not deadline.expired():  # raised by the handler itself: a bug
                return self._bug(message, exc)
            error = NewsingestError(
                f"processing took more than {self._deadline_s:g} s",
                reason="processing_timeout",
                retriable=True,
            )
            return self._failure(message, error)
        except Exception as exc:  # a bug must not stop the partition: dead-letter the record
            return self._bug(message, exc)
        for output in outputs:
            self._records_out(output.topic).inc()
        return outputs

    def _bug(self, message: Message, exc: Exception) -> list[Outgoing]:
        log.exception("handler failed")
        return self._dead_letter(message, NewsingestError(repr(exc), reason="internal_error"))

    def _failure(self, message: Message, error: NewsingestError) -> list[Outgoing] | _Retry:
        if error.retriable and message.attempts < self._settings.max_attempts:
            delay = retry_delay(message.attempts, self._settings, hint_s=error.retry_after_s)
            self._metrics.retries.labels(self.stage).inc()
            log.warning(
                "record will be retried",
                reason=error.reason,
                attempts=message.attempts,
                delay_s=round(delay, 3),
                error=redact(str(error)),
                **_about(error),
            )
            return _Retry(retry_copy(message), delay)
        return self._dead_letter(message, error)

    def _dead_letter(self, message: Message, error: NewsingestError) -> list[Outgoing]:
        self._metrics.records_dlq.labels(self.stage, error.reason).inc()
        log.warning(
            "record dead-lettered",
            reason=error.reason,
            attempts=message.attempts,
            error=redact(str(error)),
            **_about(error),
        )
        return [dead_letter(message, error, self.stage, self._dlq_topic, self._version)]

    # --- retries ---------------------------------------------------------------

    def _wait_to_retry(self, partition: _Partition, message: Message, retry: _Retry) -> None:
        """Back off in a task of its own: the record's in-flight slot is free meanwhile."""
        task = asyncio.create_task(self._retry_later(partition, message, retry))
        partition.waiting.add(task)
        self._metrics.retries_waiting.labels(self.stage).inc()
        task.add_done_callback(lambda t: self._waited(partition, t))

    async def _retry_later(self, partition: _Partition, message: Message, retry: _Retry) -> None:
        try:
            await asyncio.wait_for(partition.abandon.wait(), retry.delay_s)
        except TimeoutError:
            await self._deliver(partition, message, [retry.copy])
        # else revoked or stopping: uncommitted, redelivered with the attempts it had

    def _waited(self, partition: _Partition, task: asyncio.Task[None]) -> None:
        partition.waiting.discard(task)
        self._metrics.retries_waiting.labels(self.stage).dec()
        if not self._stopping:
            self._dispatch()

    async def _publish(self, partition: _Partition, outputs: Sequence[Outgoing]) -> None:
        """Until the broker acknowledges every output; give up only when the partition
        is no longer ours or the stage is stopping (the input is then redelivered)."""
        for attempt in itertools.count():
            try:
                await self._publisher.publish(outputs)
                return
            except KafkaError as exc:
                if partition.revoked or self._stopping:
                    raise _AbandonedError from exc
                delay = _PRODUCE_RETRY_S[min(attempt, len(_PRODUCE_RETRY_S) - 1)]
                log.warning(
                    "produce failed; retrying", stage=self.stage, error=repr(exc), delay_s=delay
                )
                await asyncio.sleep(delay)

    # --- commits ------------------------------------------------------------

    async def _commit_continuously(self) -> None:
        """Commit as soon as an offset advances, at most once per commit interval: few
        completed-but-uncommitted records means few duplicates after a crash."""
        while True:
            await self._advanced.wait()
            self._advanced.clear()
            await self._commit(list(self._partitions.values()))
            await asyncio.sleep(self._settings.commit_interval_s)

    async def _report_lag(self) -> None:
        while True:
            self._update_lag()
            await asyncio.sleep(_LAG_INTERVAL_S)

    async def _commit(self, partitions: Sequence[_Partition]) -> None:
        offsets: dict[TopicPartition, int] = {}
        for partition in partitions:
            offset = partition.offsets.committable()
            if offset is not None:
                offsets[partition.tp] = offset
        if not offsets:
            return
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, RebalanceInProgressError) as exc:
            self._metrics.commits.labels(self.stage, "failed").inc()
            log.warning(
                "commit refused by the group; will retry", stage=self.stage, error=repr(exc)
            )
            return
        except KafkaError as exc:
            self._metrics.commits.labels(self.stage, "failed").inc()
            log.warning("commit failed; will retry", stage=self.stage, error=repr(exc))
            return
        now = time.time()
        for partition in partitions:
            if partition.tp in offsets:
                partition.offsets.committed = offsets[partition.tp]
                labels = (self.stage, partition.tp.topic, str(partition.tp.partition))
                self._metrics.last_commit_timestamp.labels(*labels).set(now)
        self._metrics.commits.labels(self.stage, "ok").inc()

    def _update_lag(self) -> None:
        for partition in self._partitions.values():
            highwater = self._consumer.highwater(partition.tp)
            committed = partition.offsets.committed
            if highwater is None or committed is None:
                continue  # unknown yet: no figure rather than a wrong one
            labels = (self.stage, partition.tp.topic, str(partition.tp.partition))
            self._metrics.consumer_lag.labels(*labels).set(max(0, highwater - committed))

    async def _seed_committed(self, tps: Sequence[TopicPartition]) -> None:
        """Start each new partition's lag from the group's committed offset (a previous
        run's or another member's), not from 0, until this process commits it itself."""
        for tp in tps:
            try:
                offset = await self._consumer.committed(tp)
                if offset is None:  # the group never committed here: all of the log is lag
                    offset = (await self._consumer.beginning_offsets([tp]))[tp]
            except KafkaError as exc:
                log.warning(
                    "committed offset unknown; lag reported after our first commit",
                    stage=self.stage,
                    topic=tp.topic,
                    partition=tp.partition,
                    error=repr(exc),
                )
                continue
            partition = self._partitions.get(tp)
            if partition is not None and partition.offsets.committed is None:
                partition.offsets.committed = offset
        self._update_lag()

    # --- rebalances -----------------------------------------------------------

    def _assigned(self, assigned: set[TopicPartition]) -> None:
        new = [tp for tp in assigned if tp not in self._partitions]
        for tp in new:
            self._partitions[tp] = _Partition(tp, Backlog(self._per_key))
        if new:  # not awaited here: the group waits for this callback
            seeding = asyncio.create_task(self._seed_committed(new))
            self._seeding.add(seeding)
            seeding.add_done_callback(self._seeding.discard)
        self._metrics.rebalances.labels(self.stage, "assigned").inc()
        log.info("partitions assigned", stage=self.stage, partitions=sorted(map(str, assigned)))
        self.joined.set()

    async def _revoked(self, revoked: set[TopicPartition]) -> None:
        """Finish in-flight work of revoked partitions within the deadline, commit, forget them."""
        partitions = [self._partitions[tp] for tp in revoked if tp in self._partitions]
        for partition in partitions:
            partition.backlog.clear()
        # The group waits for us to rejoin: spend at most half the drain deadline here.
        await self._drain(partitions, self._settings.drain_timeout_s / 2)
        await self._commit(partitions)
        for partition in partitions:
            partition.revoked = True
            if partition.paused:
                self._metrics.paused_partitions.labels(self.stage).dec()
            del self._partitions[partition.tp]
            labels = (self.stage, partition.tp.topic, str(partition.tp.partition))
            for gauge in (self._metrics.consumer_lag, self._metrics.last_commit_timestamp):
                with contextlib.suppress(KeyError):
                    gauge.remove(*labels)
        self._metrics.rebalances.labels(self.stage, "revoked").inc()
        log.info("partitions revoked", stage=self.stage, partitions=sorted(map(str, revoked)))

    async def _drain(self, partitions: Sequence[_Partition], within_s: float) -> None:
        """Let in-flight records finish within ``within_s``; retries still backing off
        give up at once (they are redelivered, as are records cut off at the deadline)."""
        for partition in partitions:
            partition.abandon.set()
        loop = asyncio.get_running_loop()
        ends = loop.time() + within_s
        while pending := {t for p in partitions for t in (*p.tasks, *p.waiting)}:
            left = ends - loop.time()
            if left <= 0:
                for task in pending:
                    task.cancel()
                await asyncio.wait(pending)
                log.warning(
                    "in-flight work abandoned at deadline", stage=self.stage, count=len(pending)
                )
                return
            # Finishing records may start backoff waits (which end at once): look again.
            await asyncio.wait(pending, timeout=left, return_when=asyncio.FIRST_COMPLETED)

    def _where(self, message: Message) -> dict[str, object]:
        return {
            "stage": self.stage,
            "topic": message.topic,
            "partition": message.partition,
            "offset": message.offset,
        }


def _about(error: NewsingestError) -> dict[str, str]:
    """The failed record's id when the error knows it; else the handler's binding stands."""
    return {"url_id": error.url_id} if error.url_id else {}


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runner: StageRunner) -> None:
        self._runner = runner

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._runner._revoked(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self._runner._assigned(assigned)
