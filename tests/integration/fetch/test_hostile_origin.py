"""The fetch stage against a hostile origin on 127.0.0.1: every case ends with
the right outcome within its deadline, memory stays bounded, and the good URLs
of the same batch are still fetched."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import Callable

import pytest

from newsingest.config import FetchSettings
from newsingest.errors import FetchError
from newsingest.fetch import Fetcher
from newsingest.metrics import Metrics
from newsingest.records import PageRecord
from newsingest.urls import url_record
from tests.integration.fetch.conftest import fetch_settings
from tests.integration.fetch.origin import Origin, Request, respond
from tests.integration.fetch.routes import CP1252_PAGE, GOOD_HTML, hostile_routes

FAILURES = {
    "/tarpit": "timeout",
    "/silent": "timeout",
    "/bomb": "too_large",
    "/endless": "too_large",
    "/declared-huge": "too_large",
    "/loop-a": "too_many_redirects",
    "/to-other-port": "blocked_address",
    "/to-metadata": "blocked_address",
    "/to-file": "blocked_scheme",
    "/pdf": "unsupported_content_type",
    "/no-type": "unsupported_content_type",
    "/stacked": "decode_error",
    "/brotli": "decode_error",
    "/binary": "decode_error",
    "/500": "http_5xx",
    "/404": "http_4xx",
    "/429-long": "http_4xx",
}
SUCCESSES = {
    "/good": ("utf-8", GOOD_HTML),
    "/text": ("utf-8", "plain words"),
    "/hop": ("utf-8", GOOD_HTML),
    "/gzipped": ("utf-8", GOOD_HTML),
    "/mislabelled": ("cp1252", CP1252_PAGE),
    "/bom": ("utf-8", GOOD_HTML),
}
DEADLINE_S = 2.0


@pytest.fixture
def hostile(origin_factory: Callable[..., Origin]) -> tuple[Origin, Origin]:
    other = origin_factory({"/good": respond(200, b"<p>other</p>", {"Content-Type": "text/html"})})
    return origin_factory(hostile_routes(other.url(""))), other


async def outcome(fetcher: Fetcher, url: str) -> tuple[PageRecord | FetchError, float]:
    started = time.monotonic()
    try:
        result: PageRecord | FetchError = await fetcher(url_record(url, "cli"))
    except FetchError as exc:
        result = exc
    return result, time.monotonic() - started


async def test_a_hostile_batch_fails_case_by_case_and_serves_the_good_urls(
    hostile: tuple[Origin, Origin], fetcher_factory: Callable[[FetchSettings], Fetcher]
) -> None:
    origin, other = hostile
    settings = fetch_settings(origin.authority, total_timeout_s=DEADLINE_S)
    paths = [*FAILURES, *SUCCESSES]
    tracemalloc.start()
    started = time.monotonic()
    async with fetcher_factory(settings) as fetcher:
        results = await asyncio.gather(*(outcome(fetcher, origin.url(p)) for p in paths))
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    by_path = {path: result for path, (result, _) in zip(paths, results, strict=True)}
    slowest = max(results, key=lambda pair: pair[1])
    # each case: at most two attempts (one retry) of one deadline each, plus a short backoff
    assert slowest[1] < 2 * DEADLINE_S + 0.5, slowest
    reasons = {p: r.reason for p, r in by_path.items() if isinstance(r, FetchError)}
    assert reasons == FAILURES
    for path, (charset, body) in SUCCESSES.items():
        page = by_path[path]
        assert isinstance(page, PageRecord), f"{path}: {page!r}"
        assert (page.charset, page.body) == (charset, body), path
    assert elapsed < 2 * DEADLINE_S + 1.0  # and the batch is no longer than its slowest case
    # the bomb and the endless body are cut at the 1 MB cap: a few MB at most in flight
    assert peak < 24 * 2**20, f"peak traced memory {peak / 2**20:.1f} MiB"
    assert other.hits["/good"] == 0
    assert origin.hits["/500"] == 2  # retried once, then given up
    assert origin.hits["/429-long"] == 1  # Retry-After above the cap: no retry here


async def test_retry_after_is_honoured_then_the_page_is_served(
    origin_factory: Callable[..., Origin], fetcher_factory: Callable[[FetchSettings], Fetcher]
) -> None:
    calls = 0
    unavailable = respond(503, headers={"Retry-After": "1"})
    good = respond(200, GOOD_HTML.encode(), {"Content-Type": "text/html"})

    async def flaky(request: Request, writer: asyncio.StreamWriter) -> None:
        nonlocal calls
        calls += 1
        await (unavailable if calls == 1 else good)(request, writer)

    origin = origin_factory({"/page": flaky})
    settings = fetch_settings(origin.authority, robots=False)
    started = time.monotonic()
    async with fetcher_factory(settings) as fetcher:
        page = await fetcher(url_record(origin.url("/page"), "cli"))
    assert page.body == GOOD_HTML
    assert calls == 2
    assert time.monotonic() - started >= 1.0


async def test_robots_answering_503_disallows_while_retrying(
    origin_factory: Callable[..., Origin], fetcher_factory: Callable[[FetchSettings], Fetcher]
) -> None:
    origin = origin_factory(
        {
            "/robots.txt": respond(503),
            "/page": respond(200, b"<p>x</p>", {"Content-Type": "text/html"}),
        }
    )
    async with fetcher_factory(fetch_settings(origin.authority)) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher(url_record(origin.url("/page"), "cli"))
    assert (caught.value.reason, caught.value.retriable) == ("robots_disallowed", True)
    assert origin.hits["/page"] == 0


async def test_robots_rules_and_4xx(
    origin_factory: Callable[..., Origin], fetcher_factory: Callable[[FetchSettings], Fetcher]
) -> None:
    page = respond(200, b"<p>x</p>", {"Content-Type": "text/html"})
    rules = b"User-agent: *\nDisallow: /private\n\nUser-agent: newsingest\nDisallow: /no-bots\n"
    ruled = origin_factory(
        {"/robots.txt": respond(200, rules, {"Content-Type": "text/plain"}), "*": page}
    )
    missing = origin_factory({"/robots.txt": respond(404), "*": page})
    settings = fetch_settings(ruled.authority, missing.authority)
    async with fetcher_factory(settings) as fetcher:
        assert (await fetcher(url_record(ruled.url("/private"), "cli"))).status == 200
        with pytest.raises(FetchError) as caught:
            await fetcher(url_record(ruled.url("/no-bots/a"), "cli"))
        assert (caught.value.reason, caught.value.retriable) == ("robots_disallowed", False)
        assert (await fetcher(url_record(missing.url("/anything"), "cli"))).status == 200
    assert ruled.hits["/robots.txt"] == 1  # cached
    assert ruled.hits["/no-bots/a"] == 0


async def test_no_retry_starts_that_would_overrun_the_budget(
    origin_factory: Callable[..., Origin], fetcher_factory: Callable[[FetchSettings], Fetcher]
) -> None:
    origin = origin_factory({"/silent": hostile_routes("http://127.0.0.1:9")["/silent"]})
    settings = fetch_settings(origin.authority, robots=False, total_timeout_s=0.5, retries=3)
    unbounded = fetcher_factory(settings)
    bounded = Fetcher(settings, Metrics(), client=unbounded.client, budget_s=0.8)
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        await bounded(url_record(origin.url("/silent"), "cli"))
    assert caught.value.reason == "timeout"
    assert time.monotonic() - started < 0.8
    assert origin.hits["/silent"] == 1
