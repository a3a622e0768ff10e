"""The fetch stage: a news.urls record in, a news.pages record out (or FetchError)."""

from __future__ import annotations

import time
from types import TracebackType

import structlog

from newsingest.config import FetchSettings
from newsingest.errors import FetchError
from newsingest.fetch.charset import decode_body
from newsingest.fetch.client import GuardedClient
from newsingest.fetch.guard import Resolver
from newsingest.fetch.transport import Connect
from newsingest.metrics import Metrics
from newsingest.records import PageRecord, UrlRecord, utc_now
from newsingest.redact import redact

log = structlog.get_logger(__name__)

# Response headers worth keeping for extraction and for re-fetch decisions.
KEPT_HEADERS = (
    "content-type",
    "content-language",
    "last-modified",
    "etag",
    "date",
    "link",
    "x-robots-tag",
)


class Fetcher:
    """Fetch one URL politely and safely; see ``GuardedClient`` for the rules it obeys."""

    def __init__(
        self,
        settings: FetchSettings,
        metrics: Metrics,
        *,
        resolver: Resolver | None = None,
        connect: Connect | None = None,
        client: GuardedClient | None = None,
        budget_s: float | None = None,
    ) -> None:
        """``budget_s``: time one call may take, retries included; give it a little less
        than the runner's processing timeout so failures keep their own reason code."""
        self._metrics = metrics
        self._budget_s = budget_s
        self._owns_client = client is None
        self.client = client or GuardedClient(settings, metrics, resolver=resolver, connect=connect)

    async def start(self) -> None:
        if self._owns_client:
            await self.client.start()

    async def stop(self) -> None:
        if self._owns_client:
            await self.client.stop()

    async def __aenter__(self) -> Fetcher:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def __call__(self, url: UrlRecord) -> PageRecord:
        started = time.monotonic()
        try:
            deadline = started + self._budget_s if self._budget_s is not None else None
            response = await self.client.get(url.url, deadline=deadline)
            text, charset = decode_body(response.body, response.headers.get("content-type", ""))
        except FetchError as exc:
            self._metrics.fetches.labels(status_class=_outcome(exc)).inc()
            log.info(
                "fetch failed",
                stage="fetch",
                url_id=url.url_id,
                url=redact(url.url),
                reason=exc.reason,
                retriable=exc.retriable,
            )
            raise
        finally:
            self._metrics.fetch_seconds.observe(time.monotonic() - started)
        self._metrics.fetches.labels(status_class=f"{response.status // 100}xx").inc()
        self._metrics.fetched_bytes.inc(len(response.body))
        self._metrics.fetch_body_bytes.observe(len(response.body))
        return PageRecord(
            url_id=url.url_id,
            url=url.url,
            final_url=response.final_url,
            status=response.status,
            fetched_at=utc_now(),
            content_type=response.media_type,
            charset=charset,
            body=text,
            headers={k: response.headers[k] for k in KEPT_HEADERS if k in response.headers},
            hints=url.hints,
        )


def _outcome(error: FetchError) -> str:
    return {"http_4xx": "4xx", "http_5xx": "5xx"}.get(error.reason, error.reason)
