"""The enrich stage: a fetched page in, an enriched article out."""

from __future__ import annotations

import functools
import time
from collections import Counter

from newsingest.config import EnrichSettings
from newsingest.enrich.batch import Batcher
from newsingest.enrich.pool import WorkerPool
from newsingest.errors import NewsingestError
from newsingest.metrics import Metrics
from newsingest.records import ArticleRecord, PageRecord


class Enricher:
    """Runs extraction, cleaning and tagging of each page in the process pool,
    small pages several to a pool job (see ``batch.py``)."""

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

    async def __call__(self, page: PageRecord) -> ArticleRecord:
        started = time.perf_counter()
        try:
            article = await self._batcher(page)
        except NewsingestError as exc:
            exc.url_id, exc.url = page.url_id, page.url
            raise
        self._metrics.extract_seconds.observe(time.perf_counter() - started)
        self._count(article)
        return article

    def _count(self, article: ArticleRecord) -> None:
        removed = Counter(removal.reason for removal in article.removed)
        for reason, count in removed.items():
            self._removed(reason).inc(count)
        tags = article.tags
        for kind, found in (
            ("strike", 1 if tags.strike.is_strike else 0),
            ("militia", len(tags.militias)),
            ("location", len(tags.locations)),
            ("weapon", len(tags.weapons)),
        ):
            if found:
                self._tags(kind).inc(found)
