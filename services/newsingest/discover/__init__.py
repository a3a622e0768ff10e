"""The discover stage: feeds and sitemaps polled into new news.urls records."""

from newsingest.discover.discoverer import Discoverer, PollResult
from newsingest.discover.documents import Document, Link, read_document
from newsingest.discover.seen import KafkaSeenUrls, MemorySeenUrls, SeenUrls
from newsingest.discover.sources import Source, load_sources
from newsingest.discover.stage import discover_stage

__all__ = [
    "Discoverer",
    "Document",
    "KafkaSeenUrls",
    "Link",
    "MemorySeenUrls",
    "PollResult",
    "SeenUrls",
    "Source",
    "discover_stage",
    "load_sources",
    "read_document",
]
