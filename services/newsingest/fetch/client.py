"""The guarded HTTP client every outbound request of newsingest goes through.

One hop = SSRF check (resolve once) -> robots.txt -> host slot (politeness) ->
request pinned to the checked addresses -> headers checked -> capped body.
Redirects are followed here, by hand, each hop checked again. A whole attempt
runs under one deadline (``total_timeout_s``) enforced by asyncio, outside
httpx's per-operation timeouts, so a server trickling bytes is cut off.
Transient failures are retried with exponential backoff and jitter.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType

import httpx

from newsingest.config import FetchSettings
from newsingest.errors import FetchError
from newsingest.fetch import robots
from newsingest.fetch.body import ACCEPT_ENCODING, read_capped
from newsingest.fetch.guard import AddressPolicy, CachingResolver, Resolver, system_resolve
from newsingest.fetch.politeness import Politeness
from newsingest.fetch.robots import RobotsCache
from newsingest.fetch.transport import Connect, PinnedBackend, PinnedTransport, pinned
from newsingest.metrics import Metrics
from newsingest.redact import redact

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class Response:
    """A final (non-redirect) response; ``body`` is empty unless the status is 2xx."""

    url: str
    final_url: str
    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def media_type(self) -> str:
        return media_type(self.headers.get("content-type", ""))


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


class GuardedClient:
    def __init__(
        self,
        settings: FetchSettings,
        metrics: Metrics,
        *,
        resolver: Resolver | None = None,
        connect: Connect | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings
        self._resolver = resolver or CachingResolver(system_resolve)
        self._policy = AddressPolicy(enabled=settings.ssrf_guard, allow=settings.allow)
        self._politeness = Politeness(
            per_host=settings.max_per_host,
            delay_s=settings.host_delay_s,
            max_in_flight=settings.max_in_flight,
        )
        self._robots = (
            RobotsCache(
                self._fetch_robots,
                user_agent=settings.user_agent,
                ttl_s=settings.robots_ttl_s,
                metrics=metrics,
                max_crawl_delay_s=settings.max_crawl_delay_s,
            )
            if settings.robots
            else None
        )
        self._transport = PinnedTransport(
            PinnedBackend(self._policy, connect),
            max_per_origin=settings.max_per_host,
            ssl_context=ssl_context,
        )
        self._timeouts = {
            "connect": settings.connect_timeout_s,
            "read": settings.total_timeout_s,
            "write": settings.total_timeout_s,
            "pool": settings.total_timeout_s,
        }
        self._closed = False

    async def start(self) -> None:
        """Nothing to open ahead of time: connections are made per request."""

    async def stop(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._robots is not None:
            await self._robots.aclose()
        await self._transport.aclose()

    async def __aenter__(self) -> GuardedClient:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def get(
        self,
        url: str,
        *,
        accept: frozenset[str] | None = PAGE_TYPES,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
        retries: int | None = None,
        deadline: float | None = None,
    ) -> Response:
        """GET ``url``: a 2xx (or 304) response, else FetchError after bounded retries.

        ``deadline`` (``time.monotonic()`` based): no retry is started that could
        not finish before it, so a caller with its own timeout (the runner's) gets
        this call's own reason code rather than a cancellation.
        """
        retries = self.settings.retries if retries is None else retries
        attempt = 0
        while True:
            retry_after: float | None = None
            try:
                response = await self.attempt(
                    url, accept=accept, headers=headers, max_bytes=max_bytes
                )
                error = _status_error(response)
                if error is None:
                    return response
                retry_after = _retry_after(response.headers)
            except FetchError as exc:
                error = exc
            too_long = retry_after is not None and retry_after > self.settings.retry_after_cap_s
            if not error.retriable or attempt >= retries or too_long:
                raise error
            if error.reason == "robots_disallowed":  # robots.txt unreachable: the runner retries
                raise error
            backoff = self.settings.retry_backoff_s * 2**attempt * random.uniform(0.5, 1.5)
            wait = max(backoff, retry_after or 0.0)
            if deadline is not None and (
                time.monotonic() + wait + self.settings.total_timeout_s > deadline
            ):
                raise error
            await asyncio.sleep(wait)
            attempt += 1

    async def attempt(
        self,
        url: str,
        *,
        accept: frozenset[str] | None = PAGE_TYPES,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
        obey_robots: bool = True,
        truncate: bool = False,
    ) -> Response:
        """One try, all hops, under the total deadline; any final status is returned.

        The deadline counts the time spent resolving, connecting, waiting for and
        reading answers, not the time queued for a host slot (politeness).
        """
        if self._closed:
            raise RuntimeError("GuardedClient is stopped")
        try:
            async with asyncio.timeout(None) as deadline:
                return await self._follow(
                    url,
                    _Budget(deadline, self.settings.total_timeout_s),
                    accept=accept,
                    headers=headers or {},
                    max_bytes=max_bytes or self.settings.max_body_bytes,
                    obey_robots=obey_robots and self._robots is not None,
                    truncate=truncate,
                )
        except TimeoutError:
            raise FetchError(
                f"{redact(url)}: no complete answer within {self.settings.total_timeout_s} s",
                reason="timeout",
                retriable=True,
            ) from None

    async def _follow(
        self,
        url: str,
        budget: _Budget,
        *,
        accept: frozenset[str] | None,
        headers: Mapping[str, str],
        max_bytes: int,
        obey_robots: bool,
        truncate: bool,
    ) -> Response:
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            with budget.running():
                target = await self._policy.check(current, self._resolver)
            crawl_delay = (
                await self._robots.check(current) if obey_robots and self._robots else None
            )
            async with self._politeness.slot(target.host, delay_s=crawl_delay):
                request = httpx.Request(
                    "GET",
                    target.url,
                    headers={
                        "User-Agent": self.settings.user_agent,
                        "Accept": _accept_header(accept),
                        "Accept-Encoding": ACCEPT_ENCODING,
                        **headers,
                    },
                    extensions={"timeout": self._timeouts},
                )
                with budget.running(), pinned(target), _transport_errors(current):
                    response = await self._transport.handle_async_request(request)
                    try:
                        location = response.headers.get("location")
                        if response.status_code in _REDIRECTS and location:
                            current = str(target.url.join(location.strip()))
                            continue
                        if not 200 <= response.status_code < 300:
                            return Response(
                                url, current, response.status_code, response.headers, b""
                            )
                        kind = media_type(response.headers.get("content-type", ""))
                        if accept is not None and kind not in accept:
                            raise FetchError(
                                f"{redact(current)}: content type {kind or 'missing'!r} not fetched",
                                reason="unsupported_content_type",
                            )
                        body = await read_capped(response, max_bytes, truncate=truncate)
                        return Response(url, current, response.status_code, response.headers, body)
                    finally:
                        await response.aclose()
        raise FetchError(
            f"{redact(url)}: more than {self.settings.max_redirects} redirects",
            reason="too_many_redirects",
        )

    async def _fetch_robots(self, robots_url: str) -> tuple[int, bytes]:
        response = await self.attempt(
            robots_url, accept=None, max_bytes=robots.MAX_BYTES, obey_robots=False, truncate=True
        )
        return response.status, response.body


def _accept_header(accept: frozenset[str] | None) -> str:
    if accept is None:
        return "*/*"
    return ", ".join(sorted(accept)) + ";q=1.0, */*;q=0.1"


def _status_error(response: Response) -> FetchError | None:
    status = response.status
    if 200 <= status < 300 or status == 304:
        return None
    where = redact(response.final_url)
    if status >= 500:
        return FetchError(f"{where}: HTTP {status}", reason="http_5xx", retriable=True)
    if status >= 400:
        transient = status in (408, 429)
        return FetchError(f"{where}: HTTP {status}", reason="http_4xx", retriable=transient)
    return FetchError(f"{where}: HTTP {status} without a Location", reason="too_many_redirects")


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _Budget:
    """A deadline that runs only inside ``running()`` blocks, across the hops of one try."""

    def __init__(self, deadline: asyncio.Timeout, seconds: float) -> None:
        self._deadline = deadline
        self._left = seconds

    @contextmanager
    def running(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        self._deadline.reschedule(started + self._left)
        try:
            yield
        finally:
            self._left -= loop.time() - started
            if not self._deadline.expired():
                self._deadline.reschedule(None)


@contextmanager
def _transport_errors(url: str) -> Iterator[None]:
    """Map httpx transport failures of one hop to FetchError reasons."""
    try:
        yield
    except httpx.TransportError as exc:
        where = redact(url)
        if isinstance(exc, httpx.TimeoutException):
            raise FetchError(
                f"{where}: {type(exc).__name__}", reason="timeout", retriable=True
            ) from exc
        if _is_tls(exc):
            raise FetchError(f"{where}: TLS failure: {exc}", reason="tls_error") from exc
        if isinstance(exc, httpx.UnsupportedProtocol):
            raise FetchError(f"{where}: {exc}", reason="invalid_url") from exc
        raise FetchError(
            f"{where}: {type(exc).__name__}: {exc}", reason="connect_error", retriable=True
        ) from exc


def _is_tls(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, ssl.SSLError | ssl.CertificateError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False
