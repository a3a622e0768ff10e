"""Shared fixtures: a real Kafka-protocol broker for the whole session, and
settings with topic names of their own for each test.

The broker is the embedded one (Tansu), unless NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS
points at an external Kafka: then the same tests run against it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from newsingest.broker import EmbeddedBroker
from newsingest.config import KafkaSettings, Settings, TopicSettings

SettingsFactory = Callable[..., Settings]


def _external() -> str | None:
    return os.environ.get("NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS") or None


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    external = _external()
    if external:
        yield external
        return
    broker = EmbeddedBroker()
    broker.start_sync()
    try:
        yield broker.bootstrap_servers
    finally:
        broker.stop_sync()


def unique_topics(partitions: int = 3) -> TopicSettings:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    return TopicSettings(
        urls=f"{prefix}.news.urls",
        pages=f"{prefix}.news.pages",
        articles=f"{prefix}.news.articles",
        strikes=f"{prefix}.news.strikes",
        dlq=f"{prefix}.news.dlq",
        seen=f"{prefix}.news.urls.seen",
        incidents=f"{prefix}.news.incidents",
        partitions=partitions,
    )


@pytest.fixture
def make_settings(kafka_bootstrap: str) -> SettingsFactory:
    """Settings on the session broker with fresh topics and consumer groups.

    Keyword arguments replace whole groups, e.g. ``make_settings(runner=RunnerSettings(...))``.
    """
    group = f"g{uuid.uuid4().hex[:8]}"

    def factory(**groups: Any) -> Settings:
        kafka = groups.pop("kafka", None) or KafkaSettings(
            bootstrap_servers=kafka_bootstrap,
            group_prefix=group,
            idempotence=_external() is not None,  # the embedded broker has no idempotence
            session_timeout_ms=None if _external() else 6_000,  # Tansu joins take half of it
            fetch_max_wait_ms=None if _external() else 100,  # Tansu holds fetches (Cluster)
        )
        topics = groups.pop("topics", None) or unique_topics()
        return Settings(kafka=kafka, topics=topics, **groups)

    return factory
