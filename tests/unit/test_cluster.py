"""Client options that depend on the kind of cluster: a real Kafka or the embedded broker."""

from __future__ import annotations

from typing import Any

from newsingest.broker import Cluster
from newsingest.config import KafkaSettings, Settings


def _cluster(**kafka: Any) -> Cluster:
    return Cluster(Settings(kafka=KafkaSettings(**kafka)))


def test_the_fetch_wait_is_short_only_on_the_embedded_broker() -> None:
    assert _cluster(bootstrap_servers=None).fetch_max_wait_ms == 100
    assert _cluster(bootstrap_servers="kafka:9092").fetch_max_wait_ms == 500
    configured = _cluster(bootstrap_servers="kafka:9092", fetch_max_wait_ms=250)
    assert configured.fetch_max_wait_ms == 250


async def test_every_consumer_gets_the_resolved_fetch_wait() -> None:
    cluster = _cluster(bootstrap_servers="kafka:9092", fetch_max_wait_ms=250)
    consumers = [cluster.consumer("stage", group="g"), cluster.table_consumer("table")]
    try:
        assert [c._fetch_max_wait_ms for c in consumers] == [250, 250]
    finally:
        for consumer in consumers:
            await consumer.stop()
