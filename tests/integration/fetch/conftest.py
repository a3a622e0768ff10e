"""Fixtures for fetch tests: loopback origins, and a resolver and a connect
function that fail the test if anything beyond 127.0.0.1 is ever dialled."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpcore
import pytest

from newsingest.config import FetchSettings
from newsingest.fetch import Fetcher
from newsingest.fetch.transport import Connect, default_connect
from newsingest.metrics import Metrics
from tests.integration.fetch.origin import Handler, Origin

LOOPBACK = "127.0.0.1"


@dataclass
class LoopbackOnly:
    """Name table for the resolver; every connect attempt is recorded.

    ``routes`` maps a (pretend public) address to the loopback port standing in
    for it; any other address but 127.0.0.1 fails the test before a packet leaves.
    """

    names: dict[str, Sequence[str]] = field(default_factory=dict)
    routes: dict[str, int] = field(default_factory=dict)
    resolved: list[str] = field(default_factory=list)
    dialled: list[tuple[str, int]] = field(default_factory=list)
    _connect: Connect = field(default_factory=default_connect)

    async def resolve(self, host: str, port: int) -> Sequence[str]:
        self.resolved.append(host)
        answer = self.names.get(host)
        if answer is None:
            pytest.fail(f"test resolver asked for unknown name {host!r}")
        return answer

    async def connect(
        self,
        address: str,
        port: int,
        timeout: float | None,  # noqa: ASYNC109 - the Connect signature
    ) -> httpcore.AsyncNetworkStream:
        self.dialled.append((address, port))
        if address in self.routes:
            address, port = LOOPBACK, self.routes[address]
        if address != LOOPBACK:
            pytest.fail(f"a connection to {address}:{port} was attempted")
        return await self._connect(address, port, timeout)


@pytest.fixture
def net() -> LoopbackOnly:
    return LoopbackOnly()


@pytest.fixture
def origin_factory() -> Iterator[Callable[..., Origin]]:
    started: list[Origin] = []

    def make(
        routes: dict[str, Handler], host: str = LOOPBACK, tls: ssl.SSLContext | None = None
    ) -> Origin:
        origin = Origin(routes, host=host, tls=tls).start()
        started.append(origin)
        return origin

    yield make
    for origin in started:
        origin.stop()


def fetch_settings(*allow: str, **overrides: Any) -> FetchSettings:
    """Test-sized limits: short deadline, small cap, one retry, no politeness delay."""
    values: dict[str, Any] = {
        "allow": list(allow),
        "host_delay_s": 0.0,
        "max_per_host": 16,
        "total_timeout_s": 2.0,
        "connect_timeout_s": 1.0,
        "max_body_bytes": 1_000_000,
        "retries": 1,
        "retry_backoff_s": 0.05,
        "retry_after_cap_s": 2.0,
    }
    values.update(overrides)
    return FetchSettings(**values)


@pytest.fixture
async def fetcher_factory(
    net: LoopbackOnly,
) -> AsyncIterator[Callable[[FetchSettings], Fetcher]]:
    made: list[Fetcher] = []

    def make(settings: FetchSettings) -> Fetcher:
        fetcher = Fetcher(settings, Metrics(), resolver=net.resolve, connect=net.connect)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        await fetcher.stop()
    assert {address for address, _ in net.dialled} <= {LOOPBACK, *net.routes}
