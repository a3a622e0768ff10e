"""robots.txt per RFC 9309, parsed by protego, cached per origin.

Outcomes of the robots.txt fetch (through the same guarded client, which
follows up to ``max_redirects`` redirects, 5 by default):

- 2xx: its rules; a ``Crawl-delay`` is honoured up to ``MAX_CRAWL_DELAY_S``, so
  one host cannot park the records queued for it for minutes each;
- "unavailable" (4xx, too many redirects, a redirect to a refused target):
  allow all (RFC 9309 2.3.1.3);
- "unreachable" (5xx, 429, or a network failure: timeout, refused connection,
  TLS failure): disallow all (2.3.1.4), remembered for ``UNREACHABLE_TTL_S``
  only. The refusal is retriable when the failure is, and tells the runner
  when the next check will ask again (``retry_after_s``), so a retry waits for
  a fresh answer instead of meeting the cached refusal.

At most ``MAX_BYTES`` are parsed.
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
UNREACHABLE_TTL_S = 30.0
MAX_CRAWL_DELAY_S = 10.0
# Network failures that make robots.txt unreachable even when retrying them is pointless.
_NETWORK_REASONS = frozenset({"timeout", "connect_error", "tls_error"})
# A retry should land just after the cached refusal expired.
_RECHECK_MARGIN_S = 0.1

RobotsFetch = Callable[[str], Awaitable[tuple[int, bytes]]]
"""``await fetch(robots_url)`` -> (final status, body); raises FetchError on failure."""


@dataclass(frozen=True, slots=True)
class _Rules:
    parser: Protego | None  # None: no rules, see ``allow``
    allow: bool
    expires: float
    unreachable: str | None = None  # why robots.txt could not be read, when it could not
    retriable: bool = False


class RobotsCache:
    def __init__(
        self,
        fetch: RobotsFetch,
        *,
        user_agent: str,
        ttl_s: float,
        metrics: Metrics,
        max_crawl_delay_s: float = MAX_CRAWL_DELAY_S,
        max_entries: int = 10_000,
    ) -> None:
        self._fetch = fetch
        self._agent = user_agent.split("/", 1)[0].strip() or user_agent  # product token
        self._ttl_s = min(ttl_s, 86_400.0)
        self._metrics = metrics
        self._max_crawl_delay_s = max_crawl_delay_s
        self._max_entries = max_entries
        self._cache: dict[str, _Rules] = {}
        self._loading: dict[str, asyncio.Task[_Rules]] = {}

    async def check(self, url: str) -> float | None:
        """The host's Crawl-delay, capped (or None); raise FetchError(robots_disallowed)
        when disallowed."""
        parts = urlsplit(url)
        rules = await self._rules(f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}")
        if rules.unreachable is not None:
            self._metrics.robots.labels(outcome="unreachable").inc()
            raise FetchError(
                f"robots.txt unreachable ({rules.unreachable}): disallowed until it answers",
                reason="robots_disallowed",
                retriable=rules.retriable,
                retry_after_s=max(0.0, rules.expires - time.monotonic()) + _RECHECK_MARGIN_S,
            )
        allowed = rules.allow if rules.parser is None else rules.parser.can_fetch(url, self._agent)
        if not allowed:
            self._metrics.robots.labels(outcome="disallowed").inc()
            raise FetchError("disallowed by robots.txt", reason="robots_disallowed")
        self._metrics.robots.labels(outcome="allowed").inc()
        if rules.parser is None:
            return None
        delay = rules.parser.crawl_delay(self._agent)
        return min(float(delay), self._max_crawl_delay_s) if delay else None

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
        try:
            status, body = await self._fetch(f"{origin}/robots.txt")
        except FetchError as exc:
            now = time.monotonic()  # lifetimes count from the answer, not the question
            if exc.retriable or exc.reason in _NETWORK_REASONS:
                rules = self._unreachable(now, exc.reason, retriable=exc.retriable)
            else:  # a redirect loop or a refused redirect target: nothing to obey
                rules = _Rules(None, allow=True, expires=now + self._ttl_s)
        else:
            now = time.monotonic()
            if 200 <= status < 300:
                text = body[:MAX_BYTES].decode("utf-8", errors="replace")
                rules = _Rules(Protego.parse(text), allow=True, expires=now + self._ttl_s)
            elif status == 429 or status >= 500:
                rules = self._unreachable(now, f"HTTP {status}", retriable=True)
            else:
                rules = _Rules(None, allow=True, expires=now + self._ttl_s)
        if len(self._cache) >= self._max_entries:
            self._cache.pop(next(iter(self._cache)))
        self._cache[origin] = rules
        return rules

    @staticmethod
    def _unreachable(now: float, why: str, *, retriable: bool) -> _Rules:
        return _Rules(
            None,
            allow=False,
            expires=now + UNREACHABLE_TTL_S,
            unreachable=why,
            retriable=retriable,
        )

    async def aclose(self) -> None:
        tasks = list(self._loading.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
