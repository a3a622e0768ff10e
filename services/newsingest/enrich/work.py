"""What runs inside a pool worker: page in, enriched article out (encoded for the wire).

Pure CPU: extraction and cleaning (``newsingest.extract``), then tagging
(``newsingest.classify``). A SIGALRM timer bounds each job inside the worker,
so a pathological page ends as ``extract_timeout`` instead of a stuck slot.
"""

from __future__ import annotations

import contextlib
import hashlib
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from urllib.parse import urlsplit

from newsingest.classify import load_classifier
from newsingest.errors import ExtractError, NewsingestError
from newsingest.extract import Document, extract_document, prime_extractor
from newsingest.records import ArticleRecord, EncodedArticle, PageRecord, stable_id, utc_now
from newsingest.urls import canonicalize


def warm_up() -> None:
    """Pool initializer: load gazetteers, compile patterns, prime trafilatura, once per worker.

    Workers ignore SIGINT: a terminal's Ctrl-C reaches the whole process group,
    and the parent decides when workers stop (after draining).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    load_classifier()
    prime_extractor()


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


def enrich_batch(
    pages: list[PageRecord], deadline_s: float, max_chars: int
) -> list[EncodedArticle | NewsingestError | None]:
    """Enrich pages in turn within one shared budget of ``deadline_s``.

    Each page gets an outcome: its article, its error, or None when the budget
    ran out before (or while) it ran and it should be tried again in another
    job. The first page always has the whole deadline, so every batch makes
    progress and a page that times out alone is a page that takes too long.
    """
    budget_ends = time.monotonic() + deadline_s
    outcomes: list[EncodedArticle | NewsingestError | None] = []
    for page in pages:
        limit = min(deadline_s, budget_ends - time.monotonic()) if outcomes else deadline_s
        if limit <= 0:
            break
        try:
            with _time_limit(limit):
                outcomes.append(EncodedArticle.of(build_article(page, max_chars)))
        except ExtractError as exc:
            if exc.reason == "extract_timeout" and limit < deadline_s:
                break  # the shared budget ran out, not this page's own deadline
            outcomes.append(exc)
        except NewsingestError as exc:
            outcomes.append(exc)
        except Exception as exc:  # a bug: dead-letter this page, go on with the others
            outcomes.append(NewsingestError(repr(exc), reason="internal_error"))
    return outcomes + [None] * (len(pages) - len(outcomes))


def build_article(page: PageRecord, max_chars: int) -> ArticleRecord:
    """The article of one page; a body over ``max_chars`` is read up to there only, and
    the rest recorded in ``removed`` (reason ``too_long``), so nothing goes unaccounted."""
    hint = page.hints.published_at if page.hints else None
    document = extract_document(
        page.body,
        content_type=page.content_type,
        url=page.final_url,
        published_hint=hint,
        max_chars=max_chars,
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
