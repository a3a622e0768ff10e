"""`newsingest run` as a real child process, configured through its environment."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from newsingest.config import Settings

NEWSINGEST = str(Path(sys.executable).with_name("newsingest"))


def service_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that gives a child process the same broker, topics and groups."""
    kafka, topics = settings.kafka, settings.topics
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSINGEST_")}
    env.update(
        {
            "NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers or "",
            "NEWSINGEST_KAFKA_IDEMPOTENCE": str(bool(kafka.idempotence)).lower(),
            "NEWSINGEST_KAFKA_GROUP_PREFIX": kafka.group_prefix,
            "NEWSINGEST_TOPICS_URLS": topics.urls,
            "NEWSINGEST_TOPICS_PAGES": topics.pages,
            "NEWSINGEST_TOPICS_ARTICLES": topics.articles,
            "NEWSINGEST_TOPICS_STRIKES": topics.strikes,
            "NEWSINGEST_TOPICS_DLQ": topics.dlq,
            "NEWSINGEST_TOPICS_SEEN": topics.seen,
            "NEWSINGEST_TOPICS_INCIDENTS": topics.incidents,
            "NEWSINGEST_TOPICS_PARTITIONS": str(topics.partitions),
            "NEWSINGEST_API_PORT": "0",
            "NEWSINGEST_LOG_FORMAT": "json",
        }
    )
    if kafka.session_timeout_ms:
        env["NEWSINGEST_KAFKA_SESSION_TIMEOUT_MS"] = str(kafka.session_timeout_ms)
    if kafka.fetch_max_wait_ms:
        env["NEWSINGEST_KAFKA_FETCH_MAX_WAIT_MS"] = str(kafka.fetch_max_wait_ms)
    env.update(extra)
    return env


class ServiceProcess:
    """One `newsingest run` process; ``kill`` is SIGKILL, ``terminate`` SIGTERM."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.env = env
        self.args = args
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> ServiceProcess:
        self.process = await asyncio.create_subprocess_exec(
            NEWSINGEST,
            "run",
            *self.args,
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def terminate(self, within_s: float = 30.0) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(within_s):
            return await self.process.wait()


class BrokerProcess:
    """``newsingest broker --port N``: the embedded broker as its own process, as an
    operator starts it for ``newsingest run`` to use; ``stop`` is SIGTERM."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: asyncio.subprocess.Process | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self, within_s: float = 30.0) -> BrokerProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSINGEST_")}
        self.process = await asyncio.create_subprocess_exec(
            NEWSINGEST,
            "broker",
            "--port",
            str(self.port),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert self.process.stdout is not None
        async with asyncio.timeout(within_s):
            line = await self.process.stdout.readline()  # it says where it listens when ready
        if self.bootstrap_servers.encode() not in line:
            raise RuntimeError(f"newsingest broker did not start: {line!r}")
        return self

    async def stop(self, within_s: float = 20.0) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(within_s):
            return await self.process.wait()
