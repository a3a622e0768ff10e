"""The asyncio network stream under httpcore, against raw TCP servers on 127.0.0.1.

The fetch tests exercise it through httpx (their connect uses it, TLS included);
these pin down what httpx rarely reaches: read sizes, timeouts, resets, flow
control and the idle-connection check.
"""

from __future__ import annotations

import asyncio
import os
import resource
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Awaitable, Callable

import httpcore
import pytest

from newsingest.fetch._stream import _PAUSE_AT, AsyncioStream, connect_tcp

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
Start = Callable[[Serve], Awaitable[int]]


@pytest.fixture
async def server() -> AsyncIterator[Start]:
    servers: list[asyncio.Server] = []
    handlers: list[asyncio.Task[None]] = []

    async def start(serve: Serve) -> int:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            handlers.append(task)
            try:
                await serve(reader, writer)
            finally:
                writer.close()

        started = await asyncio.start_server(handle, "127.0.0.1", 0)
        servers.append(started)
        port: int = started.sockets[0].getsockname()[1]
        return port

    yield start
    for task in handlers:
        task.cancel()
    for started in servers:
        started.close()
        await started.wait_closed()


async def read_all(stream: AsyncioStream, max_bytes: int) -> list[bytes]:
    pieces = []
    while piece := await stream.read(max_bytes, timeout=5):
        pieces.append(piece)
    return pieces


async def test_reads_come_in_pieces_of_at_most_max_bytes_then_eof(server: Start) -> None:
    payload = bytes(range(256)) * 1200  # 300 KB: several chunks of the transport

    async def send(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(payload)
        await writer.drain()

    port = await server(send)
    stream = await connect_tcp("127.0.0.1", port, timeout=5)
    assert stream.get_extra_info("server_addr") == ("127.0.0.1", port)
    pieces = await read_all(stream, 65_536)
    assert b"".join(pieces) == payload
    assert max(map(len, pieces)) <= 65_536
    assert await stream.read(65_536, timeout=1) == b""  # EOF stays EOF
    await stream.aclose()


async def test_write_reaches_the_server(server: Start) -> None:
    received: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    async def echo_line(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.set_result(await reader.readline())

    stream = await connect_tcp("127.0.0.1", await server(echo_line), timeout=5)
    await stream.write(b"GET / HTTP/1.1\r\n", timeout=5)
    await stream.write(b"", timeout=5)  # nothing to send: no error
    assert await asyncio.wait_for(received, 5) == b"GET / HTTP/1.1\r\n"
    await stream.aclose()


async def test_a_silent_server_is_a_read_timeout(server: Start) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(10)

    stream = await connect_tcp("127.0.0.1", await server(silent), timeout=5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(httpcore.ReadTimeout):
        await stream.read(1024, timeout=0.2)
    assert 0.15 <= loop.time() - started < 2
    await stream.aclose()


async def test_a_reset_connection_is_a_read_error(server: Start) -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()  # close with linger 0: the peer gets an RST

    stream = await connect_tcp("127.0.0.1", await server(reset), timeout=5)
    await stream.write(b"hello\n", timeout=5)
    with pytest.raises(httpcore.ReadError):
        await stream.read(1024, timeout=5)
    await stream.aclose()


async def test_an_idle_connection_is_readable_once_the_server_closes_it(server: Start) -> None:
    close_now = asyncio.Event()

    async def close_later(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await close_now.wait()

    stream = await connect_tcp("127.0.0.1", await server(close_later), timeout=5)
    await asyncio.sleep(0.05)
    assert stream.get_extra_info("is_readable") is False
    close_now.set()
    for _ in range(100):
        await asyncio.sleep(0.01)
        if stream.get_extra_info("is_readable"):
            break
    assert stream.get_extra_info("is_readable") is True
    assert await stream.read(1024, timeout=1) == b""
    await stream.aclose()


async def test_the_idle_check_works_on_descriptors_past_1024(server: Start) -> None:
    """select() cannot watch a descriptor past 1024; a fetch worker with hundreds of
    connections and their pools has such descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2048:
        assert hard >= 2048, "the test needs 2,048 open files"
        resource.setrlimit(resource.RLIMIT_NOFILE, (2048, hard))
    fillers = [os.open(os.devnull, os.O_RDONLY)]
    try:
        while fillers[-1] <= 1024:  # the lowest free descriptors, taken
            fillers.append(os.open(os.devnull, os.O_RDONLY))
        close_now = asyncio.Event()

        async def close_later(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await close_now.wait()

        stream = await connect_tcp("127.0.0.1", await server(close_later), timeout=5)
        assert stream.get_extra_info("socket").fileno() > 1024
        assert stream.get_extra_info("is_readable") is False
        close_now.set()
        await stream.read(1024, timeout=5)  # EOF: the server has closed
        assert stream.get_extra_info("is_readable") is True
        await stream.aclose()
    finally:
        for fd in fillers:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


async def test_reading_pauses_while_the_buffer_is_full_and_nothing_is_lost(
    server: Start,
) -> None:
    payload = bytes(range(251)) * 16_000  # 4 MB, sixteen times the pause mark

    async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(payload)
        await writer.drain()

    stream = await connect_tcp("127.0.0.1", await server(flood), timeout=5)
    await asyncio.sleep(0.3)  # the server writes as fast as it can; nobody reads
    # One transport read (at most 256 KiB) may land after the mark is passed.
    assert stream._protocol.buffered <= _PAUSE_AT + 256 * 1024
    assert stream._protocol.reading_paused
    assert b"".join(await read_all(stream, 65_536)) == payload
    assert not stream._protocol.reading_paused
    await stream.aclose()


async def test_a_server_that_does_not_read_is_a_write_timeout(server: Start) -> None:
    async def never_reads(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(10)

    stream = await connect_tcp("127.0.0.1", await server(never_reads), timeout=5)
    block = b"x" * (1 << 20)

    async def fill() -> None:
        for _ in range(256):  # far more than the socket buffers on both sides hold
            await stream.write(block, timeout=0.2)

    with pytest.raises(httpcore.WriteTimeout):
        await fill()
    await stream.aclose()


async def test_a_tls_handshake_that_never_ends_times_out_or_is_cancelled(
    server: Start,
) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(10)  # reads no ClientHello, answers nothing

    port = await server(silent)
    tls = ssl.create_default_context()
    stream = await connect_tcp("127.0.0.1", port, timeout=5)
    with pytest.raises(httpcore.ConnectTimeout):
        await stream.start_tls(tls, server_hostname="news.test", timeout=0.2)
    assert stream._transport.is_closing()  # the socket is given up, not left to the GC

    # Cancelled (the fetch's overall deadline): asyncio's start_tls closes it itself.

    stream = await connect_tcp("127.0.0.1", port, timeout=5)
    handshake = asyncio.create_task(stream.start_tls(tls, server_hostname="news.test"))
    await asyncio.sleep(0.1)
    handshake.cancel()
    with pytest.raises(asyncio.CancelledError):
        await handshake
    assert stream._transport.is_closing()


async def test_a_closed_port_is_a_connect_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: connections are refused
        with pytest.raises(httpcore.ConnectError):
            await connect_tcp("127.0.0.1", port, timeout=5)
