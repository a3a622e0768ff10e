"""The SSRF guard end to end. The resolver and the connect function of the
``net`` fixture fail the test if anything but 127.0.0.1 is dialled, so no test
here can send a packet beyond loopback, even with the guard broken."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import pytest

from newsingest.config import FetchSettings
from newsingest.errors import FetchError
from newsingest.fetch import Fetcher
from newsingest.metrics import Metrics
from newsingest.records import UrlRecord, stable_id
from tests.integration.fetch.conftest import LoopbackOnly, fetch_settings
from tests.integration.fetch.origin import Origin, Request, respond
from tests.integration.fetch.routes import redirect

PUBLIC = "93.184.215.14"  # a public address; the test net routes it to a loopback origin


def record(url: str) -> UrlRecord:
    """A news.urls record as the runner would hand it over, not canonicalised."""
    return UrlRecord(url_id=stable_id(url), url=url, source="cli", discovered_at="t")


BLOCKED = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://[::1]/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://metadata.test/computeMetadata/v1/",
    "http://intranet.test/",
    "http://v6-private.test/",
    "http://mixed.test/",
    "http://localhost/",
    # numeric tricks for 127.0.0.1 / 169.254.169.254
    "http://2130706433/",
    "http://0x7f.1/",
    "http://127.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://good.com@127.0.0.1/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:a9fe:a9fe::]/",
    "http://[2001:0:4136:e378:8000:63bf:5601:5601]/",  # Teredo wrapping 169.254.169.254
]
NAMES = {
    "metadata.test": ["169.254.169.254"],
    "intranet.test": ["10.0.0.1"],
    "v6-private.test": ["fd00::1"],
    "mixed.test": [PUBLIC, "127.0.0.1"],  # one bad address is enough to refuse
    "localhost": ["127.0.0.1", "::1"],
}


@pytest.fixture
def origin(origin_factory: Callable[..., Origin]) -> Origin:
    return origin_factory(
        {
            "/robots.txt": respond(404),
            "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
            "/to-intranet": redirect("http://intranet.test/admin"),
            "/to-numeric": redirect("http://2130706433/"),
        }
    )


@pytest.mark.parametrize("url", BLOCKED)
async def test_blocked_targets_are_refused_before_any_connection(
    url: str, net: LoopbackOnly, fetcher_factory: Callable[[FetchSettings], Fetcher]
) -> None:
    net.names.update(NAMES)
    async with fetcher_factory(fetch_settings()) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher(record(url))
    assert caught.value.reason == "blocked_address"
    assert not caught.value.retriable
    assert net.dialled == []


@pytest.mark.parametrize("path", ["/to-metadata", "/to-intranet", "/to-numeric"])
async def test_redirects_to_blocked_targets_are_refused(
    path: str,
    origin: Origin,
    net: LoopbackOnly,
    fetcher_factory: Callable[[FetchSettings], Fetcher],
) -> None:
    net.names.update(NAMES)
    async with fetcher_factory(fetch_settings(origin.authority)) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher(record(origin.url(path)))
    assert caught.value.reason == "blocked_address"
    assert {address for address, _ in net.dialled} == {"127.0.0.1"}


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "blocked_scheme"),
        ("ftp://example.com/", "blocked_scheme"),
        ("gopher://127.0.0.1:70/", "blocked_scheme"),
        ("http://user:secret@example.com/", "invalid_url"),
        ("http://256.256.256.256.256/", "invalid_url"),
        ("http://0177.0.0.1/", "invalid_url"),  # httpx itself rejects a zero-padded dotted quad
    ],
)
async def test_other_refusals(
    url: str, reason: str, net: LoopbackOnly, fetcher_factory: Callable[[FetchSettings], Fetcher]
) -> None:
    async with fetcher_factory(fetch_settings()) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher(record(url))
    assert caught.value.reason == reason
    assert "secret" not in str(caught.value)
    assert net.dialled == []
    assert net.resolved == []


async def test_the_connection_goes_to_the_checked_address(
    origin_factory: Callable[..., Origin],
    net: LoopbackOnly,
    fetcher_factory: Callable[[FetchSettings], Fetcher],
) -> None:
    """DNS rebinding: the first answer is public, every later one is 127.0.0.1.

    127.0.0.1:<internal port> is even allowed, so a client that looked the name
    up again when connecting would reach the internal origin.
    """
    hosts: list[str] = []

    async def public_page(request: Request, writer: asyncio.StreamWriter) -> None:
        hosts.append(request.headers["host"])
        await respond(200, b"<p>public</p>", {"Content-Type": "text/html"})(request, writer)

    public = origin_factory({"*": public_page})
    internal = origin_factory(
        {"*": respond(200, b"<p>internal</p>", {"Content-Type": "text/html"})}
    )
    answers: list[Sequence[str]] = [[PUBLIC], ["127.0.0.1"]]

    async def rebinding(host: str, port: int) -> Sequence[str]:
        net.resolved.append(host)
        return answers[min(len(net.resolved), len(answers)) - 1]

    net.routes[PUBLIC] = public.port
    settings = fetch_settings(internal.authority, robots=False)
    async with Fetcher(settings, _metrics(), resolver=rebinding, connect=net.connect) as fetcher:
        page = await fetcher(record(f"http://news.test:{internal.port}/article"))

    assert page.body == "<p>public</p>"
    assert net.resolved == ["news.test"]
    assert net.dialled == [(PUBLIC, internal.port)]
    assert hosts == [f"news.test:{internal.port}"]  # the original Host header
    assert internal.hits.total() == 0


async def test_the_safety_net_catches_a_broken_guard(
    net: LoopbackOnly, fetcher_factory: Callable[[FetchSettings], Fetcher]
) -> None:
    """With the guard switched off, the test connect function is what stops the packet."""
    async with fetcher_factory(fetch_settings(ssrf_guard=False, robots=False)) as fetcher:
        with pytest.raises(pytest.fail.Exception, match=r"10\.0\.0\.1"):
            await fetcher(record("http://10.0.0.1/"))
    assert net.dialled == [("10.0.0.1", 80)]
    net.dialled.clear()


def _metrics() -> Metrics:
    return Metrics()
