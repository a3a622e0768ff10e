"""What runs inside a pool worker: page in, enriched article out.

Pure CPU: extraction and cleaning (``newsingest.extract``), then tagging
(``newsingest.classify``). A SIGALRM timer bounds each job inside the worker,
so a pathological page ends as ``extract_timeout`` instead of a stuck slot.
"""

from __future__ import annotations

import contextlib
import hashlib
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from urllib.parse import urlsplit

from newsingest.classify import load_classifier
from newsingest.errors import ExtractError, NewsingestError
from newsingest.extract import Document, extract_document
from newsingest.records import ArticleRecord, PageRecord, stable_id, utc_now
from newsingest.urls import canonicalize


def warm_up() -> None:
    """Pool initializer: load gazetteers and compile patterns once per worker.

    Workers ignore SIGINT: a terminal's Ctrl-C reaches the whole process group,
    and the parent decides when workers stop (after draining).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    load_classifier()


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def _expired(signum: int, frame: FrameType | None) -> None:
        raise ExtractError(f"enrichment took more than {seconds:g} s", reason="extract_timeout")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def enrich_page(page: PageRecord, deadline_s: float, max_chars: int) -> ArticleRecord:
    """Extract, clean and tag one page within ``deadline_s`` (raises ExtractError)."""
    with _time_limit(deadline_s):
        return build_article(page, max_chars)


def build_article(page: PageRecord, max_chars: int) -> ArticleRecord:
    hint = page.hints.published_at if page.hints else None
    document = extract_document(
        page.body[:max_chars],
        content_type=page.content_type,
        url=page.final_url,
        published_hint=hint,
    )
    classifier = load_classifier()
    title = document.title or (page.hints.title if page.hints else None)
    tags = classifier.classify(document.text, title=title, published_at=document.published_at)
    canonical = _canonical_url(document, page)
    return ArticleRecord(
        article_id=stable_id(canonical),
        url_id=page.url_id,
        url=page.url,
        canonical_url=canonical,
        source_domain=_domain(canonical),
        title=title,
        authors=document.authors,
        published_at=document.published_at,
        language=document.language,
        text=document.text,
        headings=document.headings,
        removed=document.removed,
        content_hash=hashlib.sha256(document.text.encode("utf-8")).hexdigest(),
        tags=tags,
        classifier_version=classifier.version,
        fetched_at=page.fetched_at,
        enriched_at=utc_now(),
    )


def _canonical_url(document: Document, page: PageRecord) -> str:
    """The page's declared canonical URL when it is a valid http(s) URL, else the final URL."""
    for candidate in (document.canonical_url, page.final_url):
        if candidate:
            with contextlib.suppress(NewsingestError):  # not an http(s) URL
                return canonicalize(candidate)
    return page.final_url


def _domain(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")
