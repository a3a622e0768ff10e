"""Where the pipeline's topics live: a configured Kafka cluster, or the embedded broker."""

from __future__ import annotations

from contextlib import AsyncExitStack
from types import TracebackType

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from newsingest.broker.clients import make_consumer, make_producer
from newsingest.broker.embedded import EmbeddedBroker
from newsingest.broker.topics import ensure_topics
from newsingest.config import Settings

log = structlog.get_logger(__name__)


TABLE_FETCH_BYTES = 1_048_576


class Cluster:
    """Resolves the bootstrap servers (starting the embedded broker when none are
    configured), creates missing topics and builds clients with the right options."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._embedded: EmbeddedBroker | None = None
        self._stack = AsyncExitStack()
        self._bootstrap: str | None = settings.kafka.bootstrap_servers

    @property
    def embedded(self) -> bool:
        return self.settings.kafka.bootstrap_servers is None

    @property
    def bootstrap_servers(self) -> str:
        if self._bootstrap is None:
            raise RuntimeError("Cluster.start() has not been called")
        return self._bootstrap

    @property
    def idempotence(self) -> bool:
        """On for a real Kafka; Tansu does not implement InitProducerId."""
        configured = self.settings.kafka.idempotence
        return (not self.embedded) if configured is None else configured

    @property
    def session_timeout_ms(self) -> int:
        configured = self.settings.kafka.session_timeout_ms
        if configured is not None:
            return configured
        return 6_000 if self.embedded else 45_000

    @property
    def fetch_max_wait_ms(self) -> int:
        """A real Kafka answers a held fetch when records arrive: the wait only bounds idle
        polls. Tansu does not, so a record waits for a share of it at each hop (measured on
        one partition: median 97 ms, at most 210 ms, at 500; 8 and 35 ms at 100)."""
        configured = self.settings.kafka.fetch_max_wait_ms
        if configured is not None:
            return configured
        return 100 if self.embedded else 500

    async def start(self) -> None:
        if self.embedded and self._embedded is None:
            self._embedded = EmbeddedBroker(self.settings.kafka.embedded_port)
            await self._stack.enter_async_context(self._embedded)
            self._bootstrap = self._embedded.bootstrap_servers
            log.warning(
                "no NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS: using the embedded broker "
                "(memory-only, not for production data)",
                bootstrap_servers=self._bootstrap,
            )
        if self.settings.topics.create:
            await ensure_topics(self.settings.kafka, self.bootstrap_servers, self.settings.topics)

    async def stop(self) -> None:
        await self._stack.aclose()
        self._embedded = None

    async def __aenter__(self) -> Cluster:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def producer(self, name: str) -> AIOKafkaProducer:
        kafka = self.settings.kafka
        return make_producer(
            kafka,
            self.bootstrap_servers,
            idempotence=self.idempotence,
            client_id=f"{kafka.client_id}.{name}",
        )

    def table_consumer(self, name: str) -> AIOKafkaConsumer:
        """A consumer without a group for reading a compacted topic back (``read_table``):
        small fetches, since what it reads is kept and the fetch buffers would stay
        behind in the allocator (a quarter of the incidents stage's peak at 50 MB)."""
        kafka = self.settings.kafka
        return make_consumer(
            kafka,
            self.bootstrap_servers,
            group_id=None,
            client_id=f"{kafka.client_id}.{name}",
            session_timeout_ms=self.session_timeout_ms,
            fetch_max_bytes=TABLE_FETCH_BYTES,
            fetch_max_wait_ms=self.fetch_max_wait_ms,
        )

    def consumer(
        self, name: str, *, group: str | None, auto_offset_reset: str = "earliest"
    ) -> AIOKafkaConsumer:
        kafka = self.settings.kafka
        instance = kafka.group_instance_id
        return make_consumer(
            kafka,
            self.bootstrap_servers,
            group_id=f"{kafka.group_prefix}.{group}" if group else None,
            client_id=f"{kafka.client_id}.{name}",
            session_timeout_ms=self.session_timeout_ms,
            auto_offset_reset=auto_offset_reset,
            group_instance_id=f"{instance}.{group}" if instance and group else None,
            fetch_max_wait_ms=self.fetch_max_wait_ms,
        )
