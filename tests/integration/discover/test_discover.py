"""The discover stage against feeds and sitemaps served on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Sequence

from newsingest.config import DiscoverSettings, FetchSettings, Settings
from newsingest.discover import Discoverer, MemorySeenUrls, Source
from newsingest.fetch import GuardedClient
from newsingest.metrics import Metrics
from newsingest.records import UrlHints, UrlRecord
from tests.integration.discover.conftest import Documents, news_sitemap, rss, sitemap_index
from tests.integration.fetch.conftest import LoopbackOnly
from tests.integration.fetch.origin import Origin


def sources(origin: Origin) -> list[Source]:
    return [
        Source(name="world", url=origin.url("/feed.xml"), kind="feed"),
        Source(name="news", url=origin.url("/news-sitemap.xml")),
        Source(name="index", url=origin.url("/index.xml"), kind="sitemap"),
    ]


def publish(documents: Documents, origin: Origin, articles: int) -> None:
    """Feed, news sitemap and a gzipped child sitemap listing overlapping articles."""
    a = [(f"https://news.test/a/{i}?utm_source=rss#top", f"Article {i}") for i in range(articles)]
    documents.files["/feed.xml"] = ("application/rss+xml", rss(*a))
    documents.files["/news-sitemap.xml"] = ("application/xml", news_sitemap(*a[::2]))
    documents.files["/index.xml"] = ("text/xml", sitemap_index(origin.url("/s1.xml.gz")))
    documents.files["/s1.xml.gz"] = ("application/x-gzip", gzip.compress(news_sitemap(*a[1::2])))


async def run_until_polled(discoverer: Discoverer, metrics: Metrics, polls: int) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(discoverer.run(stop))
    while _total(metrics, "newsingest_source_polls_total") < polls:  # noqa: ASYNC110 - a metric has no event
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 5)


def _total(metrics: Metrics, name: str, **labels: str) -> float:
    total = 0.0
    for family in metrics.registry.collect():
        for sample in family.samples:
            if sample.name == name and labels.items() <= sample.labels.items():
                total += sample.value
    return total


async def test_new_links_once_with_hints_and_conditional_get(
    feed_origin: Origin, documents: Documents, discover_fetch_settings: FetchSettings
) -> None:
    publish(documents, feed_origin, articles=4)
    settings = Settings(
        fetch=discover_fetch_settings, discover=DiscoverSettings(poll_interval_s=0.2, jitter=0)
    )
    metrics, net, emitted = Metrics(), LoopbackOnly(), list[UrlRecord]()

    async def emit(records: Sequence[UrlRecord]) -> None:
        emitted.extend(records)

    async with GuardedClient(
        settings.fetch, metrics, resolver=net.resolve, connect=net.connect
    ) as http:
        discoverer = Discoverer(
            settings,
            metrics,
            emit=emit,
            seen=MemorySeenUrls(),
            http=http,
            sources=sources(feed_origin),
        )
        await run_until_polled(discoverer, metrics, polls=6)  # every source twice
        assert documents.not_modified >= 3  # second polls cost a 304 each
        first_round = list(emitted)
        publish(documents, feed_origin, articles=6)
        for source in discoverer.sources:
            await discoverer.poll(source)

    assert [r.url for r in first_round] == [f"https://news.test/a/{i}" for i in range(4)]
    assert first_round[0].source == "feed"
    assert first_round[0].source_name == "world"
    assert first_round[0].hints == UrlHints("Article 0", "2024-01-02T10:00:00.000Z")
    assert sorted(r.url for r in emitted[4:]) == ["https://news.test/a/4", "https://news.test/a/5"]
    assert len({r.url_id for r in emitted}) == len(emitted) == 6
    assert _total(metrics, "newsingest_discovered_total", outcome="new") == 6
    # round one: 8 links, 4 of them repeats; round three: 12 links (304 index, changed child)
    assert _total(metrics, "newsingest_discovered_total", outcome="seen") == 4 + 10
    assert _total(metrics, "newsingest_discovered_total", source="news") == 2 + 3
    assert _total(metrics, "newsingest_source_polls_total", outcome="not_modified") >= 3


async def test_a_failing_source_is_counted_and_the_others_still_polled(
    feed_origin: Origin, documents: Documents, discover_fetch_settings: FetchSettings
) -> None:
    documents.files["/feed.xml"] = (
        "application/rss+xml",
        rss(
            ("https://news.test/ok", "ok"),
            ("ftp://news.test/file", "not fetchable"),
            ("/relative/link", "relative to the feed"),
        ),
    )
    documents.files["/broken.xml"] = ("application/xml", b"this is { not xml")
    settings = Settings(fetch=discover_fetch_settings)
    metrics, net, emitted = Metrics(), LoopbackOnly(), list[UrlRecord]()

    async def emit(records: Sequence[UrlRecord]) -> None:
        emitted.extend(records)

    broken = [
        Source(name="missing", url=feed_origin.url("/nope.xml")),
        Source(name="broken", url=feed_origin.url("/broken.xml")),
        Source(name="private", url="http://10.0.0.1/feed.xml"),
        Source(name="world", url=feed_origin.url("/feed.xml")),
    ]
    async with GuardedClient(
        settings.fetch, metrics, resolver=net.resolve, connect=net.connect
    ) as http:
        discoverer = Discoverer(
            settings, metrics, emit=emit, seen=MemorySeenUrls(), http=http, sources=broken
        )
        results = [await discoverer.poll(source) for source in broken]
    assert [r.failed for r in results] == [True, True, True, False]
    assert results[-1].invalid == 1
    assert _total(metrics, "newsingest_discovered_total", source="world", outcome="error") == 1
    assert [r.url for r in emitted] == ["https://news.test/ok", feed_origin.url("/relative/link")]
    assert _total(metrics, "newsingest_source_polls_total", outcome="error") == 3
    assert net.dialled
    assert all(address == "127.0.0.1" for address, _ in net.dialled)
