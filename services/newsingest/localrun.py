"""The stages' own code on local inputs, without Kafka: ``newsingest enrich`` and ``fetch``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import TextIO

import orjson

from newsingest.config import Settings
from newsingest.errors import NewsingestError
from newsingest.metrics import Metrics
from newsingest.records import (
    DlqRecord,
    OriginalMessage,
    PageRecord,
    UrlHints,
    encode,
    stable_id,
    utc_now,
)

_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_ORDERED_WINDOW = 64  # pages in flight at once while keeping output in input order


def page_from_text(
    body: str,
    *,
    url: str,
    content_type: str,
    published_at: str | None = None,
) -> PageRecord:
    return PageRecord(
        url_id=stable_id(url),
        url=url,
        final_url=url,
        status=200,
        fetched_at=utc_now(),
        content_type=content_type,
        charset="utf-8",
        body=body,
        hints=UrlHints(published_at=published_at) if published_at else None,
    )


def inputs_from_files(paths: Iterable[Path]) -> Iterator[PageRecord | NewsingestError]:
    for path in paths:
        content_type = "text/html" if path.suffix.lower() in _HTML_SUFFIXES else "text/plain"
        try:
            body = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            yield NewsingestError(f"{path}: {exc.strerror}", reason="invalid_input")
            continue
        yield page_from_text(body, url=path.resolve().as_uri(), content_type=content_type)


def inputs_from_jsonl(lines: Iterable[str]) -> Iterator[PageRecord | NewsingestError]:
    """``{"url"?, "content_type", "body", "published_at"?}`` per line."""
    for number, line in enumerate(lines, 1):
        try:
            item = orjson.loads(line)
            body, content_type = item["body"], item["content_type"]
            if not isinstance(body, str) or content_type not in ("text/html", "text/plain"):
                raise TypeError("body must be a string, content_type text/html or text/plain")
            url = item.get("url") or f"stdin:line-{number}"
            yield page_from_text(
                body, url=url, content_type=content_type, published_at=item.get("published_at")
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            yield NewsingestError(f"line {number}: {exc}", reason="invalid_input")


async def enrich_inputs(
    settings: Settings, inputs: Iterable[PageRecord | NewsingestError], out: TextIO
) -> int:
    """Enrich each input with the stage's code; one output line per input, in order."""
    from newsingest.enrich import Enricher, WorkerPool, warm_up

    failures = 0
    metrics = Metrics()
    async with WorkerPool(settings.enrich.workers, metrics, initializer=warm_up) as pool:
        enricher = Enricher(pool, settings.enrich, metrics)

        async def one(item: PageRecord | NewsingestError) -> bytes:
            nonlocal failures
            try:
                if isinstance(item, NewsingestError):
                    raise item
                return (await enricher(item)).value
            except NewsingestError as exc:
                failures += 1
                return encode({"error": str(exc), "reason": exc.reason, "url": exc.url})

        window: list[asyncio.Task[bytes]] = []
        for item in inputs:
            window.append(asyncio.create_task(one(item)))
            if len(window) >= _ORDERED_WINDOW:
                out.write((await window.pop(0)).decode() + "\n")
        for task in window:
            out.write((await task).decode() + "\n")
    out.flush()
    return 1 if failures else 0


async def fetch_urls(settings: Settings, urls: list[str], out: TextIO, *, with_body: bool) -> int:
    """Fetch each URL with the fetch stage's code; print the page or the DLQ record."""
    from newsingest.fetch import Fetcher
    from newsingest.urls import url_record

    failures = 0
    async with Fetcher(settings.fetch, Metrics()) as fetcher:

        async def one(url: str) -> bytes:
            nonlocal failures
            try:
                page = await fetcher(url_record(url, "cli"))
                return encode(page if with_body else _without_body(page))
            except NewsingestError as exc:
                failures += 1
                return encode(_dlq(url, exc))

        for line in await asyncio.gather(*(one(u) for u in urls)):
            out.write(line.decode() + "\n")
    out.flush()
    return 1 if failures else 0


def _without_body(page: PageRecord) -> dict[str, object]:
    """The page record with its ``body`` key left out (not emptied: an empty body is real)."""
    return {f.name: getattr(page, f.name) for f in fields(page) if f.name != "body"}


def _dlq(url: str, error: NewsingestError) -> DlqRecord:
    from newsingest import __version__
    from newsingest.redact import redact

    now = utc_now()
    return DlqRecord(
        stage="fetch",
        reason=error.reason,
        error=redact(str(error)),
        retriable=error.retriable,
        attempts=1,
        first_failed_at=now,
        failed_at=now,
        service_version=__version__,
        original=OriginalMessage(None, None, None, None, redact(url)),
        url=redact(url),
    )
