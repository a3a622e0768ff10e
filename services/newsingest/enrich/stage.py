"""The enrich stage: a fetched page in, an enriched article out."""

from __future__ import annotations

import functools
import time

from newsingest.config import EnrichSettings
from newsingest.enrich.batch import Batcher
from newsingest.enrich.pool import WorkerPool
from newsingest.errors import NewsingestError
from newsingest.metrics import Metrics
from newsingest.records import EncodedArticle, PageRecord


class Enricher:
    """Runs extraction, cleaning and tagging of each page in the process pool,
    small pages several to a pool job (see ``batch.py``). The article comes back
    encoded, ready for the topics (see ``EncodedArticle``)."""

    def __init__(self, pool: WorkerPool, settings: EnrichSettings, metrics: Metrics) -> None:
        self._settings = settings
        self._metrics = metrics
        # Metric children made once per label value: labels() validates and locks.
        self._removed = functools.cache(metrics.removed_segments.labels)
        self._tags = functools.cache(metrics.tags.labels)
        # One job queued behind each busy worker, so that no worker waits for the event loop;
        # a queued job may wait for the one ahead of it, hence twice the deadline.
        self._batcher = Batcher(
            pool,
            deadline_s=settings.timeout_s,
            max_body_chars=settings.max_body_chars,
            max_jobs=2 * pool.workers,
            job_wait_s=2 * settings.timeout_s,
        )

    async def __call__(self, page: PageRecord) -> EncodedArticle:
        started = time.perf_counter()
        try:
            article = await self._batcher(page)
        except NewsingestError as exc:
            exc.url_id, exc.url = page.url_id, page.url
            raise
        self._metrics.extract_seconds.observe(time.perf_counter() - started)
        self._count(article)
        return article

    def _count(self, article: EncodedArticle) -> None:
        for reason, count in article.removed.items():
            self._removed(reason).inc(count)
        for kind, found in article.tags.items():
            if found:
                self._tags(kind).inc(found)
