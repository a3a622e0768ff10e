"""robots.txt as a real origin serves it: redirects followed (RFC 9309 asks for
at least five), and an origin whose robots.txt cannot be reached over TLS is
treated as unreachable (disallow), not as missing (allow)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

import pytest

from newsingest.config import FetchSettings
from newsingest.errors import FetchError
from newsingest.fetch import Fetcher
from newsingest.urls import url_record
from tests.integration.fetch.conftest import fetch_settings
from tests.integration.fetch.origin import Handler, Origin, respond

pytestmark = pytest.mark.timeout(30)

PAGE = respond(200, b"<p>x</p>", {"Content-Type": "text/html"})
RULES = respond(200, b"User-agent: *\nDisallow: /private\n", {"Content-Type": "text/plain"})


def redirect_chain(hops: int) -> dict[str, Handler]:
    """/robots.txt -> /r1 -> ... -> /r<hops> (the rules): ``hops`` redirects."""
    routes: dict[str, Handler] = {"*": PAGE}
    names = ["/robots.txt", *(f"/r{n}" for n in range(1, hops + 1))]
    for here, there in itertools.pairwise(names):
        routes[here] = respond(302, headers={"Location": there})
    routes[names[-1]] = RULES
    return routes


async def test_rules_behind_five_redirects_are_obeyed(
    origin_factory: Callable[..., Origin], fetcher_factory: Callable[[FetchSettings], Fetcher]
) -> None:
    origin = origin_factory(redirect_chain(5))
    async with fetcher_factory(fetch_settings(origin.authority, max_redirects=5)) as fetcher:
        assert (await fetcher(url_record(origin.url("/public"), "cli"))).status == 200
        with pytest.raises(FetchError) as caught:
            await fetcher(url_record(origin.url("/private"), "cli"))
    assert (caught.value.reason, caught.value.retriable) == ("robots_disallowed", False)
    assert [origin.hits[f"/r{n}"] for n in range(1, 6)] == [1] * 5
    assert origin.hits["/private"] == 0


async def test_past_the_redirect_limit_robots_txt_counts_as_missing(
    origin_factory: Callable[..., Origin], fetcher_factory: Callable[[FetchSettings], Fetcher]
) -> None:
    origin = origin_factory(redirect_chain(6))
    async with fetcher_factory(fetch_settings(origin.authority, max_redirects=5)) as fetcher:
        assert (await fetcher(url_record(origin.url("/private"), "cli"))).status == 200
    assert origin.hits["/r6"] == 0  # the sixth redirect was not followed


async def _answers_in_plain_http(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """A server that is not TLS: it answers the handshake with an HTTP error."""
    await reader.read(1)  # the ClientHello has arrived
    writer.write(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
    await writer.drain()
    await reader.read()  # the client hangs up first: no reset races the answer
    writer.close()


async def test_robots_txt_failing_tls_disallows(
    fetcher_factory: Callable[[FetchSettings], Fetcher],
) -> None:
    server = await asyncio.start_server(_answers_in_plain_http, "127.0.0.1", 0)
    authority = f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server, fetcher_factory(fetch_settings(authority)) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher(url_record(f"https://{authority}/page", "cli"))
    assert (caught.value.reason, caught.value.retriable) == ("robots_disallowed", False)
    assert "tls_error" in str(caught.value)
