"""An httpcore network stream on a plain asyncio protocol.

httpcore's AnyIO backend wraps every read and write in ``anyio.fail_after``,
a cancel scope that costs more CPU than the socket call under it: a fifth of
the client's CPU for a 170 KB page on loopback. Here a read takes what the
protocol has already buffered, and only a read that has to wait arms a timeout.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from collections import deque
from typing import Any

import httpcore

# Reading from the socket stops at this many unread bytes, so a connection holds at most
# this plus one transport read (256 KiB): a typical page never pauses.
_PAUSE_AT = 1 << 18
_RESUME_AT = 1 << 16


class _Protocol(asyncio.Protocol):
    """Buffers what the transport delivers; wakes the one reader that waits."""

    transport: asyncio.Transport  # set on connection, replaced by start_tls

    def __init__(self) -> None:
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.eof = False
        self.error: Exception | None = None
        self.reading_paused = False
        self._head_taken = 0  # bytes of chunks[0] already read
        self._waiter: asyncio.Future[None] | None = None
        self._drained: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self.buffered += len(data)
        if self.buffered >= _PAUSE_AT and not self.reading_paused:
            self.transport.pause_reading()
            self.reading_paused = True
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = self.error or exc
        self._wake()
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def pause_writing(self) -> None:
        self._drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
        self._drained = None

    def take(self, max_bytes: int) -> bytes:
        """Up to ``max_bytes`` of what is buffered (some is); the first chunk whole
        when it fits, without a copy."""
        head = self.chunks[0]
        if not self._head_taken and len(head) <= max_bytes:
            self.chunks.popleft()
            piece = head
        else:
            piece = head[self._head_taken : self._head_taken + max_bytes]
            self._head_taken += len(piece)
            if self._head_taken == len(head):
                self.chunks.popleft()
                self._head_taken = 0
        self.buffered -= len(piece)
        if self.reading_paused and self.buffered <= _RESUME_AT:
            self.reading_paused = False
            self.transport.resume_reading()
        return piece

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def readable(self) -> None:
        """Until data, EOF or an error is there."""
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    async def drained(self) -> None:
        """Until the transport takes writes again (at once when it does now)."""
        if self._drained is not None:
            await asyncio.shield(self._drained)


class AsyncioStream(httpcore.AsyncNetworkStream):
    def __init__(self, protocol: _Protocol) -> None:
        self._protocol = protocol

    @property
    def _transport(self) -> asyncio.Transport:
        return self._protocol.transport

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        protocol = self._protocol
        if not protocol.chunks:
            if protocol.eof:
                return self._at_end()
            try:
                async with asyncio.timeout(timeout):
                    await protocol.readable()
            except TimeoutError:
                raise httpcore.ReadTimeout("timed out reading from the server") from None
            if not protocol.chunks:
                return self._at_end()
        return protocol.take(max_bytes)

    def _at_end(self) -> bytes:
        if self._protocol.error is not None:
            raise httpcore.ReadError(str(self._protocol.error) or "connection lost")
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if not buffer:
            return
        if self._transport.is_closing():
            raise httpcore.WriteError("connection closed")
        self._transport.write(buffer)
        try:
            async with asyncio.timeout(timeout):
                await self._protocol.drained()
        except TimeoutError:
            raise httpcore.WriteTimeout("timed out writing to the server") from None

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport,
                    self._protocol,
                    ssl_context,
                    server_hostname=server_hostname,
                )
        except TimeoutError:
            self._transport.abort()
            raise httpcore.ConnectTimeout("timed out in the TLS handshake") from None
        except (OSError, ssl.SSLError) as exc:
            self._transport.abort()
            raise httpcore.ConnectError(str(exc)) from exc
        if transport is None:
            raise httpcore.ConnectError("connection closed during the TLS handshake")
        assert isinstance(transport, asyncio.Transport)
        self._protocol.transport = transport
        return AsyncioStream(self._protocol)

    def get_extra_info(self, info: str) -> Any:
        transport = self._transport
        if info == "is_readable":
            return self._is_readable()
        if info == "ssl_object":
            return transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return transport.get_extra_info("sockname")
        if info == "server_addr":
            return transport.get_extra_info("peername")
        if info == "socket":
            return transport.get_extra_info("socket")
        return None

    def _is_readable(self) -> bool:
        """Whether an idle connection has something to say: data, EOF or an error. Asks
        the socket too, since the event loop may not have run since the server closed."""
        protocol = self._protocol
        if protocol.chunks or protocol.eof or self._transport.is_closing():
            return True
        sock: socket.socket | None = self._transport.get_extra_info("socket")
        if sock is None or sock.fileno() < 0:
            return True
        poller = select.poll()  # not select.select: a busy worker has descriptors past 1024
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))


async def connect_tcp(address: str, port: int, timeout: float | None) -> AsyncioStream:  # noqa: ASYNC109
    """An open TCP stream to ``address`` (an IP address: nothing is resolved here)."""
    loop = asyncio.get_running_loop()
    protocol = _Protocol()
    try:
        async with asyncio.timeout(timeout):
            await loop.create_connection(lambda: protocol, address, port)
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"timed out connecting to {address}:{port}") from None
    except OSError as exc:
        raise httpcore.ConnectError(str(exc)) from exc
    return AsyncioStream(protocol)
