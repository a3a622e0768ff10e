"""An httpx transport that connects only to addresses the guard has checked.

httpx/httpcore would resolve the host name again when connecting, which is
what DNS rebinding exploits. Here the pool keeps the host name (so Host, TLS
SNI and certificate checks use it and keep-alive connections are per host),
but the network backend never resolves: it connects to the addresses pinned
for that host by the current task, re-checking each against the policy, and
refuses when none are pinned.
"""

from __future__ import annotations

import contextvars
import ipaddress
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

from newsingest.fetch.guard import AddressPolicy, Target

Connect = Callable[[str, int, float | None], Awaitable[httpcore.AsyncNetworkStream]]
"""``await connect(address, port, timeout)`` -> an open stream; the seam tests use."""

_pins: contextvars.ContextVar[dict[tuple[str, int], tuple[str, ...]]] = contextvars.ContextVar(
    "newsingest_fetch_pins"
)


@contextmanager
def pinned(target: Target) -> Iterator[None]:
    """Within this block, connections to ``target.host`` go to ``target.addresses`` only."""
    token = _pins.set({(target.host, target.port): target.addresses})
    try:
        yield
    finally:
        _pins.reset(token)


def default_connect() -> Connect:
    backend = httpcore.AnyIOBackend()

    async def connect(
        address: str,
        port: int,
        timeout: float | None,  # noqa: ASYNC109 - httpcore's interface
    ) -> httpcore.AsyncNetworkStream:
        return await backend.connect_tcp(address, port, timeout=timeout)

    return connect


class PinnedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, policy: AddressPolicy, connect: Connect | None = None) -> None:
        self._policy = policy
        self._connect = connect or default_connect()
        self._sleeper = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = _pins.get({}).get((host.lower(), port))
        if not addresses:
            raise httpcore.ConnectError(f"no checked address for {host}:{port}; not resolving")
        error: Exception | None = None
        for address in addresses:
            if not self._policy.allows(ipaddress.ip_address(address), host=host, port=port):
                raise httpcore.ConnectError(f"address {address} is blocked")  # defence in depth
            try:
                return await self._connect(address, port, timeout)
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
                error = exc
        assert error is not None
        if isinstance(error, httpcore.ConnectTimeout):
            raise error
        raise httpcore.ConnectError(str(error)) from error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._sleeper.sleep(seconds)


# Most specific first: the first match wins.
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
)


@contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core, mapped in _ERRORS:
            if isinstance(exc, core):
                raise mapped(str(exc)) from exc
        raise


class _Body(httpx.AsyncByteStream):
    def __init__(self, stream: AsyncIterator[bytes] | Any) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors():
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        if hasattr(self._stream, "aclose"):
            await self._stream.aclose()


class PinnedTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over an httpcore pool whose backend is a ``PinnedBackend``."""

    def __init__(
        self,
        backend: PinnedBackend,
        *,
        max_connections: int,
        ssl_context: ssl.SSLContext | None = None,
        keepalive_expiry: float = 5.0,
    ) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            # httpx's default: certifi's CA bundle, so a slim image needs no system CAs.
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=backend,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = await self._pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()
