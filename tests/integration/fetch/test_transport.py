"""The pinned transport keeps one small connection pool per origin and closes idle ones."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from newsingest.fetch.guard import AddressPolicy, Target
from newsingest.fetch.transport import PinnedBackend, PinnedTransport, pinned
from tests.integration.fetch.conftest import LoopbackOnly
from tests.integration.fetch.origin import Origin, Request, respond

PAGE = respond(200, b"<p>x</p>", {"Content-Type": "text/html"})


async def get(transport: PinnedTransport, host: str, port: int) -> int:
    url = httpx.URL(f"http://{host}:{port}/")
    with pinned(Target(url=url, host=host, port=port, addresses=("127.0.0.1",))):
        response = await transport.handle_async_request(httpx.Request("GET", url))
        await response.aread()
        await response.aclose()
    return response.status_code


async def test_each_origin_has_its_own_pool_and_idle_pools_are_closed(
    origin_factory: Callable[..., Origin], net: LoopbackOnly
) -> None:
    origins = [origin_factory({"*": PAGE}) for _ in range(3)]
    backend = PinnedBackend(AddressPolicy(allow=["127.0.0.1/32"]), net.connect)
    transport = PinnedTransport(backend, max_per_origin=2, keepalive_expiry=0.2)
    try:
        for origin in origins:
            assert await get(transport, "127.0.0.1", origin.port) == 200
        assert await get(transport, "127.0.0.1", origins[0].port) == 200
        assert transport.open_pools == 3

        await asyncio.sleep(0.3)
        assert await get(transport, "127.0.0.1", origins[1].port) == 200
        assert transport.open_pools == 1  # the sweep closed the two left idle
    finally:
        await transport.aclose()
    assert transport.open_pools == 0


async def test_a_pool_in_use_is_not_swept(
    origin_factory: Callable[..., Origin], net: LoopbackOnly
) -> None:
    async def slow(request: Request, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.6)  # on the origin's own loop and thread
        await PAGE(request, writer)

    slow_origin = origin_factory({"*": slow})
    quick_origin = origin_factory({"*": PAGE})
    backend = PinnedBackend(AddressPolicy(allow=["127.0.0.1/32"]), net.connect)
    transport = PinnedTransport(backend, max_per_origin=2, keepalive_expiry=0.1)
    try:
        pending = asyncio.create_task(get(transport, "127.0.0.1", slow_origin.port))
        await asyncio.sleep(0.3)  # the slow request is under way, past the keep-alive expiry
        assert await get(transport, "127.0.0.1", quick_origin.port) == 200
        assert transport.open_pools == 2  # the slow origin's request is still running
        assert await pending == 200
    finally:
        await transport.aclose()
