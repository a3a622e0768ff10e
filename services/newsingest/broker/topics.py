"""The topics of the pipeline, created at start-up when missing."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from newsingest.broker.clients import connection_options
from newsingest.config import KafkaSettings, TopicKey, TopicSettings

log = structlog.get_logger(__name__)

_COMPACTED = {"cleanup.policy": "compact"}
_MEMORIES = {"seen", "incidents"}  # topics read back as tables: compacted


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    configs: dict[str, str] = field(default_factory=dict)


def topic_specs(topics: TopicSettings) -> list[TopicSpec]:
    """Every topic the service uses; the memories (seen URLs, incidents) are compacted."""
    keys: tuple[TopicKey, ...] = (
        "urls",
        "pages",
        "articles",
        "strikes",
        "dlq",
        "seen",
        "incidents",
    )
    return [
        TopicSpec(
            getattr(topics, key),
            topics.partitions_of(key),
            topics.replication_factor,
            dict(_COMPACTED) if key in _MEMORIES else {},
        )
        for key in keys
    ]


async def ensure_topics(
    kafka: KafkaSettings, bootstrap_servers: str, topics: TopicSettings
) -> None:
    """Create the topics that do not exist yet; existing ones are left as they are."""
    admin = AIOKafkaAdminClient(**connection_options(kafka, bootstrap_servers))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [spec for spec in topic_specs(topics) if spec.name not in existing]
        if not missing:
            return
        new = [
            NewTopic(s.name, s.partitions, s.replication_factor, topic_configs=s.configs)
            for s in missing
        ]
        with contextlib.suppress(TopicAlreadyExistsError):  # another replica was first
            await admin.create_topics(new)
        log.info("topics created", topics=[s.name for s in missing])
    finally:
        await admin.close()
