"""Kafka plumbing: client options, the embedded broker, topics, compacted tables."""

from newsingest.broker.cluster import Cluster
from newsingest.broker.embedded import EmbeddedBroker, free_port
from newsingest.broker.table import read_table
from newsingest.broker.topics import TopicSpec, ensure_topics, topic_specs

__all__ = [
    "Cluster",
    "EmbeddedBroker",
    "TopicSpec",
    "ensure_topics",
    "free_port",
    "read_table",
    "topic_specs",
]
