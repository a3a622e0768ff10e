"""robots.txt per RFC 9309, parsed by protego, cached per origin.

Outcomes of the robots.txt fetch (through the same guarded client):
2xx -> its rules; 4xx, a redirect loop or a refused target -> allow all;
5xx, 429 or a network failure -> disallow all, remembered only briefly so the
next attempt asks again. At most ``MAX_BYTES`` are parsed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from newsingest.errors import FetchError
from newsingest.metrics import Metrics

MAX_BYTES = 500 * 1024
UNREACHABLE_TTL_S = 60.0

RobotsFetch = Callable[[str], Awaitable[tuple[int, bytes]]]
"""``await fetch(robots_url)`` -> (final status, body); raises FetchError on failure."""


@dataclass(frozen=True, slots=True)
class _Rules:
    parser: Protego | None  # None: no rules, see ``allow``
    allow: bool
    expires: float
    unreachable: bool = False


class RobotsCache:
    def __init__(
        self,
        fetch: RobotsFetch,
        *,
        user_agent: str,
        ttl_s: float,
        metrics: Metrics,
        max_entries: int = 10_000,
    ) -> None:
        self._fetch = fetch
        self._agent = user_agent.split("/", 1)[0].strip() or user_agent  # product token
        self._ttl_s = min(ttl_s, 86_400.0)
        self._metrics = metrics
        self._max_entries = max_entries
        self._cache: dict[str, _Rules] = {}
        self._loading: dict[str, asyncio.Task[_Rules]] = {}

    async def check(self, url: str) -> float | None:
        """The host's Crawl-delay (or None); raise FetchError(robots_disallowed) when disallowed."""
        parts = urlsplit(url)
        rules = await self._rules(f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}")
        allowed = rules.allow if rules.parser is None else rules.parser.can_fetch(url, self._agent)
        if not allowed:
            outcome = "unreachable" if rules.unreachable else "disallowed"
            self._metrics.robots.labels(outcome=outcome).inc()
            why = "robots.txt unreachable" if rules.unreachable else "disallowed by robots.txt"
            raise FetchError(why, reason="robots_disallowed", retriable=rules.unreachable)
        self._metrics.robots.labels(outcome="allowed").inc()
        if rules.parser is None:
            return None
        delay = rules.parser.crawl_delay(self._agent)
        return float(delay) if delay else None

    async def _rules(self, origin: str) -> _Rules:
        cached = self._cache.get(origin)
        if cached is not None and cached.expires > time.monotonic():
            return cached
        task = self._loading.get(origin)
        if task is None:
            task = asyncio.create_task(self._load(origin))
            self._loading[origin] = task
            task.add_done_callback(lambda _: self._loading.pop(origin, None))
        return await asyncio.shield(task)

    async def _load(self, origin: str) -> _Rules:
        now = time.monotonic()
        try:
            status, body = await self._fetch(f"{origin}/robots.txt")
        except FetchError as exc:
            # A timeout or refused connection: unreachable, disallow for now. A permanent
            # failure (blocked target, redirect loop): like a 4xx, no rules to obey.
            ttl = UNREACHABLE_TTL_S if exc.retriable else self._ttl_s
            rules = _Rules(
                None, allow=not exc.retriable, expires=now + ttl, unreachable=exc.retriable
            )
        else:
            if 200 <= status < 300:
                text = body[:MAX_BYTES].decode("utf-8", errors="replace")
                rules = _Rules(Protego.parse(text), allow=True, expires=now + self._ttl_s)
            elif status == 429 or status >= 500:
                rules = _Rules(None, allow=False, expires=now + UNREACHABLE_TTL_S, unreachable=True)
            else:
                rules = _Rules(None, allow=True, expires=now + self._ttl_s)
        if len(self._cache) >= self._max_entries:
            self._cache.pop(next(iter(self._cache)))
        self._cache[origin] = rules
        return rules

    async def aclose(self) -> None:
        tasks = list(self._loading.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
