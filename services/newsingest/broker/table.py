"""Read a compacted topic back into memory at start-up (seen URLs, open incidents)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, TopicPartition


async def read_table(
    consumer: AIOKafkaConsumer, topic: str
) -> AsyncIterator[tuple[bytes, bytes | None]]:
    """Yield (key, value) of every record of ``topic`` up to its end at call time.

    ``consumer`` must be started and have no group (assignment is manual). A
    ``None`` value is a tombstone: the key was deleted.
    """
    partitions = consumer.partitions_for_topic(topic)
    if partitions is None:
        await consumer._client.force_metadata_update()
        partitions = consumer.partitions_for_topic(topic) or set()
    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    if not tps:
        return
    consumer.assign(tps)
    await consumer.seek_to_beginning(*tps)
    ends = await consumer.end_offsets(tps)
    remaining = {tp for tp in tps if ends[tp] > 0}
    while remaining:
        batch = await consumer.getmany(*remaining, timeout_ms=1000)
        for tp, messages in batch.items():
            for message in messages:
                if message.key is not None and message.offset < ends[tp]:
                    yield message.key, message.value
            if await consumer.position(tp) >= ends[tp]:
                remaining.discard(tp)
        for tp in list(remaining):
            if await consumer.position(tp) >= ends[tp]:
                remaining.discard(tp)
