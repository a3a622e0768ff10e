"""Read a compacted topic back into memory at start-up (seen URLs, open incidents)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, TopicPartition

# After the reported end offsets are reached, poll until the topic stays quiet this
# long: Tansu reports the end of a multi-record batch as its base offset + 1, so the
# end offsets alone can stop a read in the middle of the last batch.
_QUIET_MS = 300
_EXTRA_POLLS = 5


async def read_table(
    consumer: AIOKafkaConsumer, topic: str
) -> AsyncIterator[tuple[bytes, bytes | None]]:
    """Yield (key, value) of every record of ``topic`` present when the call starts.

    ``consumer`` must be started and have no group (assignment is manual). A
    ``None`` value is a tombstone: the key was deleted. The consumer is left
    positioned after what was read, so a caller may go on tailing it.
    """
    partitions = consumer.partitions_for_topic(topic)
    if partitions is None:
        await consumer._client.force_metadata_update()  # aiokafka exposes no public call
        partitions = consumer.partitions_for_topic(topic) or set()
    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    if not tps:
        return
    consumer.assign(tps)
    await consumer.seek_to_beginning(*tps)
    ends = await consumer.end_offsets(tps)
    remaining = {tp for tp in tps if ends[tp] > 0}
    extra_polls = _EXTRA_POLLS  # bounded, so a busy topic cannot hold start-up forever
    while extra_polls:
        if not remaining:
            extra_polls -= 1
        batch = await consumer.getmany(*tps, timeout_ms=_QUIET_MS if not remaining else 1000)
        for messages in batch.values():
            for message in messages:
                if message.key is not None:
                    yield message.key, message.value
        for tp in list(remaining):
            if await consumer.position(tp) >= ends[tp]:
                remaining.discard(tp)
        if not remaining and not batch:
            return
