"""Reading a compacted topic back at start-up."""

from __future__ import annotations

import pytest

from newsingest.broker import Cluster, read_table
from newsingest.broker.publisher import Outgoing, Publisher
from newsingest.metrics import Metrics
from tests.conftest import SettingsFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


async def test_every_record_of_multi_record_batches_is_read_back(
    make_settings: SettingsFactory,
) -> None:
    settings = make_settings()
    topic = settings.topics.incidents
    async with Cluster(settings) as cluster:
        async with Publisher(cluster.producer("w"), Metrics()) as publisher:
            # One publish call sends these together: one batch per partition.
            await publisher.publish(
                [Outgoing(topic, b"v%d" % n, key=b"k%d" % n) for n in range(40)]
            )
            await publisher.publish([Outgoing(topic, b"", key=b"k0")])
        consumer = cluster.consumer("table", group=None)
        await consumer.start()
        try:
            table: dict[bytes, bytes | None] = {}
            async for key, value in read_table(consumer, topic):
                table[key] = value
        finally:
            await consumer.stop()
    assert sorted(table) == sorted(b"k%d" % n for n in range(40))
    assert table[b"k0"] == b""
    assert table[b"k39"] == b"v39"
