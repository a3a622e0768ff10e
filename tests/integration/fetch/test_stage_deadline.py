"""The fetch stage under the runner: waiting for a host's politeness slot (here a
robots.txt Crawl-delay) is not processing time, so queued URLs are fetched, not
dead-lettered as processing_timeout."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from newsingest.broker.publisher import Publisher
from newsingest.config import ApiSettings, RunnerSettings
from newsingest.metrics import Metrics
from newsingest.pipeline import url_output
from newsingest.urls import url_record
from tests.conftest import SettingsFactory
from tests.integration.fetch.conftest import fetch_settings
from tests.integration.fetch.origin import Origin, respond
from tests.integration.stage import running_app
from tests.integration.topics import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

URLS = 6
CRAWL_DELAY_S = 1  # the last URL starts 5 s after the first: twice the deadline below
DEADLINE_S = 2.5


async def test_queueing_for_a_crawl_delay_is_not_a_processing_timeout(
    make_settings: SettingsFactory, origin_factory: Callable[..., Origin]
) -> None:
    origin = origin_factory(
        {
            "/robots.txt": respond(200, f"User-agent: *\nCrawl-delay: {CRAWL_DELAY_S}\n".encode()),
            "*": respond(200, b"<p>news</p>", {"Content-Type": "text/html"}),
        }
    )
    settings = make_settings(
        runner=RunnerSettings(processing_timeout_s=DEADLINE_S, max_attempts=1),
        fetch=fetch_settings(origin.authority),
        api=ApiSettings(enabled=False),
    )
    urls = [url_record(origin.url(f"/story/{n}"), "cli") for n in range(URLS)]
    async with running_app(settings, stages=["fetch"]) as app:
        async with Publisher(app.cluster.producer("test"), Metrics()) as publisher:
            await publisher.publish([url_output(u, settings.topics) for u in urls])
        pages = await read_topic(app.cluster, settings.topics.pages, URLS, within_s=30)
        with pytest.raises(TimeoutError):
            await read_topic(app.cluster, settings.topics.dlq, 1, within_s=1)
    assert len(pages) == URLS
