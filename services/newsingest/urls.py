"""URL canonicalisation and the stable ids derived from it.

courlan does the normalising (lower-case host, default port dropped, tracking
parameters such as utm_*, fbclid, gclid removed, query sorted); we also drop
the fragment, which never changes the page served, and any credentials
(``user:password@``): they never identify an article, the fetch stage sends
none, and dropped at the door they never reach a topic, the DLQ or a log.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import courlan

from newsingest.errors import FetchError
from newsingest.records import UrlHints, UrlRecord, UrlSource, stable_id, utc_now
from newsingest.redact import redact


def canonicalize(url: str) -> str:
    """Canonical form of an absolute http(s) URL; raise FetchError(invalid_url) otherwise."""
    candidate = url.strip()
    parts = urlsplit(candidate)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError(
            f"not an absolute http(s) URL: {redact(candidate)[:200]!r}", reason="invalid_url"
        )
    without_credentials = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    try:
        normalized = courlan.normalize_url(without_credentials, strict=False)
    except (ValueError, UnicodeError) as exc:
        raise FetchError(f"unparseable URL: {redact(str(exc))}", reason="invalid_url") from None
    return urlunsplit(urlsplit(normalized)._replace(fragment=""))


def url_id(canonical_url: str) -> str:
    return stable_id(canonical_url)


def host_of(url: str) -> str:
    """The host part, lower-cased, used as the partition key of news.urls."""
    return (urlsplit(url).hostname or "").lower()


def url_record(
    url: str,
    source: UrlSource,
    *,
    source_name: str | None = None,
    hints: UrlHints | None = None,
) -> UrlRecord:
    """A news.urls record for a URL, canonicalised; raises FetchError(invalid_url)."""
    canonical = canonicalize(url)
    return UrlRecord(
        url_id=url_id(canonical),
        url=canonical,
        source=source,
        discovered_at=utc_now(),
        source_name=source_name,
        hints=hints,
    )
