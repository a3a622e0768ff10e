"""Fetch-client benchmark: CPU per page of our network stream against httpcore's own.

The real ``Fetcher`` fetches the same pages from a loopback origin (its own
process, keep-alive, answering at once) twice per round: once over
``newsingest.fetch._stream`` (asyncio protocol, the default) and once over
httpcore's AnyIO backend (the baseline), in alternating order. Figures are the
fetching process's CPU per page, medians over the rounds, for plain HTTP and
for TLS (a throw-away self-signed certificate made with ``openssl``), at 50 and
170 KB (the size of an e2e page).

Usage: python -m bench.transport [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpcore

import bench.fetch as origin
from newsingest.config import FetchSettings
from newsingest.fetch import Connect, Fetcher, GuardedClient
from newsingest.fetch._stream import connect_tcp
from newsingest.logs import configure_logging
from newsingest.metrics import Metrics
from newsingest.urls import url_record

HOSTS = [f"h{i}.bench" for i in range(4)]


def page(size: int) -> bytes:
    paragraph = b"<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit. </p>"
    return b"<html><head><meta charset=utf-8></head><body>" + paragraph * (size // 66) + b"</body>"


def serve(
    body: bytes, cert: tuple[str, str] | None, port_out: multiprocessing.SimpleQueue[int]
) -> None:
    origin.PAGE, origin.LATENCY_S = body, 0.0

    async def run() -> None:
        tls = None
        if cert:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(*cert)
        server = await asyncio.start_server(origin._connection, "127.0.0.1", 0, ssl=tls)
        port_out.put(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(run())


def anyio_connect() -> Connect:
    backend = httpcore.AnyIOBackend()

    async def connect(
        address: str,
        port: int,
        timeout: float | None,  # noqa: ASYNC109 - the Connect signature
    ) -> httpcore.AsyncNetworkStream:
        return await backend.connect_tcp(address, port, timeout=timeout)

    return connect


async def cpu_per_page(port: int, connect: Connect, tls: ssl.SSLContext | None, n: int) -> float:
    """CPU ms per page of ``n`` fetches (after as many again to open connections)."""
    settings = FetchSettings(allow=["127.0.0.1/32"], host_delay_s=0.0, max_per_host=4)
    scheme = "https" if tls else "http"
    urls = [f"{scheme}://{HOSTS[i % len(HOSTS)]}:{port}/a/{i}" for i in range(2 * n)]
    gate = asyncio.Semaphore(16)

    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    async def one(url: str) -> None:
        async with gate:
            fetched = await fetcher(url_record(url, "cli"))
            if fetched.status != 200:
                raise RuntimeError(f"{url}: status {fetched.status}")

    client = GuardedClient(settings, Metrics(), resolver=resolve, connect=connect, ssl_context=tls)
    async with client, Fetcher(settings, Metrics(), client=client) as fetcher:
        await asyncio.gather(*(one(url) for url in urls[:n]))
        started = time.process_time()
        await asyncio.gather(*(one(url) for url in urls[n:]))
        return (time.process_time() - started) / n * 1000


def certificate(folder: Path) -> tuple[str, str]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    names = ",".join(f"DNS:{host}" for host in HOSTS)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=bench", "-addext", f"subjectAltName={names}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return str(cert), str(key)


def measure(size: int, cert: tuple[str, str] | None, rounds: int, n: int) -> tuple[float, float]:
    """Median CPU ms per page: (our stream, httpcore's AnyIO backend)."""
    ports: multiprocessing.SimpleQueue[int] = multiprocessing.SimpleQueue()
    server = multiprocessing.Process(target=serve, args=(page(size), cert, ports), daemon=True)
    server.start()
    try:
        port = ports.get()
        tls = ssl.create_default_context(cafile=cert[0]) if cert else None
        ours: list[float] = []
        base: list[float] = []
        for r in range(rounds):
            pair = [(ours, connect_tcp), (base, anyio_connect())]
            for out, connect in pair if r % 2 == 0 else pair[::-1]:
                out.append(asyncio.run(cpu_per_page(port, connect, tls, n)))
        return statistics.median(ours), statistics.median(base)
    finally:
        server.terminate()
        server.join(5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of 200 pages")
    args = parser.parse_args()
    rounds, n = (2, 200) if args.quick else (4, 400)
    configure_logging("warning", "console")
    print(f"fetch client CPU per page, median of {rounds} rounds of {n} pages, one process")
    print(f"{'case':14s} {'ours ms':>8s} {'anyio ms':>9s} {'x base':>7s}")
    with tempfile.TemporaryDirectory() as folder:
        cert = certificate(Path(folder))
        for scheme, with_cert in (("http", None), ("https", cert)):
            for size in (50_000, 170_000):
                ours, base = measure(size, with_cert, rounds, n)
                label = f"{scheme} {size // 1000} KB"
                print(f"{label:14s} {ours:8.3f} {base:9.3f} {ours / base:7.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
