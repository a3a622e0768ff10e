"""Per-host politeness: at most N requests at once and starts spaced by a delay.

Each host has its own semaphore and "next start" time, so waiting for a busy or
slow host never takes a slot from another host; the global in-flight cap is
taken only once a host slot is held. Idle host states are dropped so memory
stays bounded when the crawl touches many hosts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Host:
    slots: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    users: int = 0


class Politeness:
    def __init__(
        self, *, per_host: int, delay_s: float, max_in_flight: int, max_idle_hosts: int = 10_000
    ) -> None:
        self._per_host = per_host
        self._delay_s = delay_s
        self._global = asyncio.Semaphore(max_in_flight)
        self._hosts: dict[str, _Host] = {}
        self._max_idle_hosts = max_idle_hosts

    @asynccontextmanager
    async def slot(self, host: str, *, delay_s: float | None = None) -> AsyncIterator[None]:
        """Hold one request slot of ``host`` (and of the global cap) for the block.

        ``delay_s`` overrides the configured delay when larger (robots Crawl-delay).
        """
        state = self._hosts.get(host)
        if state is None:
            self._prune()
            state = self._hosts[host] = _Host(asyncio.Semaphore(self._per_host))
        state.users += 1
        try:
            async with state.slots:
                async with state.lock:  # starts of one host are serialised and spaced
                    wait = state.next_start - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    # Taken after the host's wait, so a waiting host holds no global slot,
                    # and before stamping, so spacing is between real starts.
                    await self._global.acquire()
                    state.next_start = time.monotonic() + max(self._delay_s, delay_s or 0.0)
                try:
                    yield
                finally:
                    self._global.release()
        finally:
            state.users -= 1

    def _prune(self) -> None:
        if len(self._hosts) < self._max_idle_hosts:
            return
        now = time.monotonic()
        for name, state in list(self._hosts.items()):
            if state.users == 0 and state.next_start <= now:
                del self._hosts[name]
