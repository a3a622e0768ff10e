"""Topics created at start-up: the shared partition count, and a topic's own where it has one."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from newsingest.broker import Cluster
from newsingest.broker.clients import connection_options
from tests.conftest import SettingsFactory, unique_topics

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


async def test_a_topic_with_its_own_partition_count_is_created_with_it(
    make_settings: SettingsFactory,
) -> None:
    topics = unique_topics(partitions=2).model_copy(
        update={"partitions_urls": 5, "partitions_incidents": 1}
    )
    settings = make_settings(topics=topics)
    async with Cluster(settings):  # creates the missing topics
        admin = AIOKafkaAdminClient(
            **connection_options(settings.kafka, settings.kafka.bootstrap_servers or "")
        )
        await admin.start()
        try:
            names = [topics.urls, topics.pages, topics.incidents, topics.seen]
            described = await admin.describe_topics(names)
        finally:
            await admin.close()
    counts = {topic["topic"]: len(topic["partitions"]) for topic in described}
    assert counts == {topics.urls: 5, topics.pages: 2, topics.incidents: 1, topics.seen: 2}
