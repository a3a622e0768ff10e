"""The discover stage: poll feeds and sitemaps, emit each new article URL once.

Each source is polled on its own schedule (interval with jitter) with a
conditional GET, through the guarded client (SSRF guard, robots.txt,
politeness, size and time limits). Links are canonicalised; a URL already
submitted (``SeenUrls``) is skipped. The conditional-GET validators of a
document are kept only once all its new links were emitted, so a failed poll
is repeated in full rather than silently skipping links.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

import structlog

from newsingest.config import Settings
from newsingest.discover.documents import (
    ChildSitemap,
    Document,
    DocumentError,
    Link,
    gunzip,
    read_document,
)
from newsingest.discover.seen import SeenUrls
from newsingest.discover.sources import Source, load_sources
from newsingest.errors import FetchError
from newsingest.fetch import GuardedClient
from newsingest.metrics import Metrics
from newsingest.records import UrlHints, UrlRecord, UrlSource
from newsingest.redact import redact
from newsingest.urls import url_record

log = structlog.get_logger(__name__)

Emit = Callable[[Sequence[UrlRecord]], Awaitable[None]]
"""Submit records to news.urls; returns once the broker acknowledged them all."""

DOCUMENT_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "text/plain",
        "text/html",  # feeds served with the wrong type are common; parsing decides
        "application/x-gzip",
        "application/gzip",
        "application/octet-stream",
    }
)
MAX_CHILD_SITEMAPS = 50  # per index and poll: the newest ones, by order of the index
MAX_CONCURRENT_POLLS = 4
SUBMIT_BATCH = 500  # new URLs emitted (and then remembered) together


@dataclass(frozen=True, slots=True)
class _Validators:
    etag: str | None
    last_modified: str | None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(slots=True)
class PollResult:
    new: int = 0
    seen: int = 0
    invalid: int = 0  # links that are not fetchable URLs
    not_modified: bool = False
    failed: bool = False  # the poll itself failed (fetch, parse, emit)


class Discoverer:
    def __init__(
        self,
        settings: Settings,
        metrics: Metrics,
        *,
        emit: Emit,
        seen: SeenUrls,
        http: GuardedClient,
        sources: Sequence[Source] | None = None,
    ) -> None:
        self._settings = settings.discover
        self._metrics = metrics
        self._emit = emit
        self.seen = seen
        self._http = http
        if sources is None:
            sources = load_sources(settings.sources_file) if settings.sources_file else []
        self.sources = list(sources)
        self._validators: dict[str, _Validators] = {}
        self._index_children: dict[str, list[ChildSitemap]] = {}
        self._child_lastmod: dict[str, str | None] = {}
        self._in_progress: set[str] = set()
        self._polls = asyncio.Semaphore(MAX_CONCURRENT_POLLS)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll every source until ``stop`` is set; first polls are spread over the jitter."""
        if not self.sources:
            log.warning("no sources to poll", stage="discover")
        async with asyncio.TaskGroup() as group:
            for source in self.sources:
                group.create_task(self._poll_forever(source, stop), name=f"poll-{source.name}")

    async def _poll_forever(self, source: Source, stop: asyncio.Event) -> None:
        interval = source.interval_s or self._settings.poll_interval_s
        delay = random.uniform(0, self._settings.jitter * interval)
        while not await _stopped(stop, delay):
            async with self._polls:
                await self.poll(source)
            spread = self._settings.jitter * interval
            delay = interval + random.uniform(-spread, spread)

    async def poll(self, source: Source) -> PollResult:
        """Poll one source once; failures are counted and logged, never raised."""
        result = PollResult()
        try:
            document = await self._fetch_and_submit(source, source.url, source.kind, result)
            for child in self._children(source.url, document):
                await self._fetch_and_submit(source, child.url, "sitemap", result)
                self._child_lastmod[child.url] = child.lastmod
        except (FetchError, DocumentError) as exc:
            result.failed = True
            reason = exc.reason if isinstance(exc, FetchError) else "unreadable"
            log.warning(
                "source poll failed",
                stage="discover",
                source=source.name,
                url=redact(source.url),
                reason=reason,
                error=redact(str(exc)),
            )
        except Exception:  # emit or the seen store failed: this poll is redone next time
            result.failed = True
            log.exception("source poll failed", stage="discover", source=source.name)
        outcome = "error" if result.failed else "not_modified" if result.not_modified else "ok"
        self._metrics.source_polls.labels(source=source.name, outcome=outcome).inc()
        return result

    async def _fetch_and_submit(
        self, source: Source, url: str, kind: str, result: PollResult
    ) -> Document | None:
        """Emit the new links of the document at ``url``; None when it is unchanged (304).

        Its validators (ETag, Last-Modified) are kept only after every link went
        through, so that a failure midway makes the next poll read it again.
        """
        validators = self._validators.get(url)
        response = await self._http.get(
            url,
            accept=DOCUMENT_TYPES,
            headers=validators.headers() if validators else None,
            max_bytes=self._settings.max_document_bytes,
        )
        if response.status == 304:
            result.not_modified = True
            return None
        body = response.body
        if body[:2] == b"\x1f\x8b":  # a .xml.gz sitemap served as a file, not as an encoding
            body = gunzip(body, self._settings.max_document_bytes)
        document = read_document(body, kind)
        await self._submit(source, url, document, result)
        self._validators[url] = _Validators(
            response.headers.get("etag"), response.headers.get("last-modified")
        )
        return document

    def _children(self, url: str, document: Document | None) -> list[ChildSitemap]:
        """Child sitemaps of an index to poll: all but those whose lastmod is unchanged.

        An unchanged index (304) still has its children polled (conditional GETs,
        cheap) since a child's content can change without the index changing.
        """
        if document is not None:
            self._index_children[url] = document.sitemaps[:MAX_CHILD_SITEMAPS]
        return [
            child
            for child in self._index_children.get(url, [])
            if child.lastmod is None or self._child_lastmod.get(child.url) != child.lastmod
        ]

    async def _submit(
        self, source: Source, base_url: str, document: Document, result: PollResult
    ) -> None:
        origin: UrlSource = "feed" if document.kind == "feed" else "sitemap"
        fresh: list[UrlRecord] = []
        for link in document.links:
            record = self._record(link, base_url, origin, source)
            if record is None:
                result.invalid += 1
                self._count(source, "error")
            elif record.url_id in self._in_progress or not await self.seen.is_new(record.url_id):
                result.seen += 1
                self._count(source, "seen")
            else:
                self._in_progress.add(record.url_id)
                fresh.append(record)
        try:
            # In batches, each emitted and then remembered: one broker round trip per
            # batch instead of two per URL (a 50,000-URL sitemap took minutes).
            for start in range(0, len(fresh), SUBMIT_BATCH):
                batch = fresh[start : start + SUBMIT_BATCH]
                await self._emit(batch)
                await self.seen.remember([record.url_id for record in batch])
                result.new += len(batch)
                self._count(source, "new", len(batch))
        finally:
            self._in_progress.difference_update(record.url_id for record in fresh)

    def _record(
        self, link: Link, base_url: str, origin: UrlSource, source: Source
    ) -> UrlRecord | None:
        hints = None
        if link.title or link.published_at:
            hints = UrlHints(title=_short(link.title), published_at=link.published_at)
        try:
            # Relative links (seen in feeds) are relative to the document.
            absolute = urljoin(base_url, link.url)
            return url_record(absolute, origin, source_name=source.name, hints=hints)
        except FetchError:
            log.info("unusable link", stage="discover", source=source.name, url=redact(link.url))
            return None

    def _count(self, source: Source, outcome: str, count: int = 1) -> None:
        self._metrics.discovered.labels(source=source.name, outcome=outcome).inc(count)


def _short(title: str | None) -> str | None:
    return " ".join(title.split())[:500] if title else None


async def _stopped(stop: asyncio.Event, delay: float) -> bool:
    """Wait ``delay`` seconds; True as soon as ``stop`` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=delay)
    return stop.is_set()
