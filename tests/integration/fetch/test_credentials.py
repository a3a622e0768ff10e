"""Credentials in a submitted URL go no further than the door: the news.urls
record, its id and the request sent carry none of them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from newsingest.config import FetchSettings
from newsingest.fetch import Fetcher
from newsingest.urls import url_record
from tests.integration.fetch.conftest import fetch_settings
from tests.integration.fetch.origin import Origin, Request, respond

pytestmark = pytest.mark.timeout(30)


async def test_userinfo_is_dropped_before_anything_travels(
    origin_factory: Callable[..., Origin], fetcher_factory: Callable[[FetchSettings], Fetcher]
) -> None:
    seen: list[Request] = []
    page = respond(200, b"<p>x</p>", {"Content-Type": "text/html"})

    async def recording(request: Request, writer: asyncio.StreamWriter) -> None:
        seen.append(request)
        await page(request, writer)

    origin = origin_factory({"/robots.txt": respond(404), "*": recording})
    record = url_record(f"http://editor:hunter2@{origin.authority}/story", "api")
    assert "hunter2" not in record.url
    assert "editor" not in record.url
    assert record.url_id == url_record(origin.url("/story"), "api").url_id  # same article
    async with fetcher_factory(fetch_settings(origin.authority)) as fetcher:
        fetched = await fetcher(record)
    assert fetched.status == 200
    assert [r.path for r in seen] == ["/story"]
    assert "authorization" not in seen[0].headers
