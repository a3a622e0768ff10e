"""A loopback origin serving feeds and sitemaps with ETag/Last-Modified, whose
documents a test can change between polls."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator

import pytest

from newsingest.config import FetchSettings
from tests.integration.fetch.conftest import fetch_settings
from tests.integration.fetch.origin import Origin, Request, head

LAST_MODIFIED = "Tue, 02 Jan 2024 10:00:00 GMT"


class Documents:
    """path -> (content type, body); answers 304 when the client's ETag matches."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, bytes]] = {}
        self.not_modified = 0

    def etag(self, path: str) -> str:
        return '"' + hashlib.sha1(self.files[path][1]).hexdigest()[:16] + '"'

    async def __call__(self, request: Request, writer: asyncio.StreamWriter) -> None:
        if request.path not in self.files:
            writer.write(head(404, length=0))
            return
        content_type, body = self.files[request.path]
        etag = self.etag(request.path)
        validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if request.headers.get("if-none-match") == etag:
            self.not_modified += 1
            writer.write(head(304, validators))
            return
        writer.write(head(200, {"Content-Type": content_type, **validators}, length=len(body)))
        writer.write(body)


@pytest.fixture
def documents() -> Documents:
    return Documents()


@pytest.fixture
def feed_origin(documents: Documents) -> Iterator[Origin]:
    origin = Origin({"*": documents}).start()
    yield origin
    origin.stop()


@pytest.fixture
def discover_fetch_settings(feed_origin: Origin) -> FetchSettings:
    return fetch_settings(feed_origin.authority)


def rss(*items: tuple[str, str]) -> bytes:
    """An RSS 2.0 feed of (link, title) items."""
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        "<pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate></item>"
        for link, title in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{body}</channel></rss>'.encode()


def news_sitemap(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<url><loc>{loc}</loc><news:news><news:publication_date>2024-01-02T10:00:00Z"
        f"</news:publication_date><news:title>{title}</news:title></news:news></url>"
        for loc, title in items
    )
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{body}</urlset>'
    ).encode()


def sitemap_index(*locs: str) -> bytes:
    body = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{body}</sitemapindex>"
    ).encode()
