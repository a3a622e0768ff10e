"""Reading feeds (RSS 0.9x/1.0/2.0, Atom via feedparser) and sitemaps (urlset,
sitemapindex, Google News) into article links with their title and date hints.

Sitemaps are parsed incrementally with the stdlib pull parser (expat: no
external entities, bounded entity expansion); feedparser gets a stream, never
a string, so it can never mistake a body for a URL and fetch it itself.
"""

from __future__ import annotations

import calendar
import io
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import feedparser

_SITEMAP_ROOTS = ("urlset", "sitemapindex")
if TYPE_CHECKING:
    _Parser = ET.XMLPullParser[ET.Element]


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    title: str | None = None
    published_at: str | None = None


@dataclass(frozen=True, slots=True)
class ChildSitemap:
    url: str
    lastmod: str | None = None


@dataclass(slots=True)
class Document:
    kind: str  # "feed" or "sitemap"
    links: list[Link] = field(default_factory=list)
    sitemaps: list[ChildSitemap] = field(default_factory=list)  # of a sitemap index


class DocumentError(ValueError):
    """The body is neither a feed nor a sitemap we can read."""


def gunzip(body: bytes, max_bytes: int) -> bytes:
    """A gzip body (a ``.xml.gz`` sitemap), decompressed to at most ``max_bytes``."""
    decoder = zlib.decompressobj(31)
    try:
        out = decoder.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise DocumentError(f"corrupt gzip: {exc}") from None
    if len(out) > max_bytes:
        raise DocumentError(f"decompresses to more than {max_bytes} bytes")
    return out


def read_document(body: bytes, kind: str = "auto") -> Document:
    if kind == "sitemap" or (kind == "auto" and _root_name(body) in _SITEMAP_ROOTS):
        return read_sitemap(body)
    return read_feed(body)


def _root_name(body: bytes) -> str | None:
    parser: _Parser = ET.XMLPullParser(events=("start",))
    try:
        for offset in range(0, min(len(body), 65_536), 4096):
            parser.feed(body[offset : offset + 4096])
            for element in _elements(parser):
                return _local(element.tag)
    except ET.ParseError:
        return None
    return None


def read_sitemap(body: bytes) -> Document:
    document = Document(kind="sitemap")
    parser: _Parser = ET.XMLPullParser(events=("end",))
    try:
        for offset in range(0, len(body), 65_536):
            parser.feed(body[offset : offset + 65_536])
            _collect(parser, document)
        parser.close()
    except ET.ParseError as exc:
        raise DocumentError(f"not a readable sitemap: {exc}") from None
    _collect(parser, document)
    return document


def _elements(parser: _Parser) -> Iterator[ET.Element]:
    for event in parser.read_events():
        item: object = event[-1]
        if isinstance(item, ET.Element):
            yield item


def _collect(parser: _Parser, document: Document) -> None:
    for element in _elements(parser):
        name = _local(element.tag)
        if name == "url":
            loc = _text(element, "loc")
            if loc:
                news = _child(element, "news")
                document.links.append(
                    Link(
                        url=loc,
                        title=_text(news, "title") if news is not None else None,
                        published_at=_iso(_text(news, "publication_date"))
                        if news is not None
                        else None,
                    )
                )
            element.clear()  # keep memory flat on big sitemaps
        elif name == "sitemap":
            loc = _text(element, "loc")
            if loc:
                document.sitemaps.append(ChildSitemap(loc, _text(element, "lastmod")))
            element.clear()


def read_feed(body: bytes) -> Document:
    parsed: Any = feedparser.parse(io.BytesIO(body))
    if parsed.get("bozo") and not parsed.get("entries"):
        raise DocumentError(f"not a readable feed: {parsed.get('bozo_exception')!r}")
    if not parsed.get("version") and not parsed.get("entries"):
        raise DocumentError("neither a feed nor a sitemap")
    document = Document(kind="feed")
    for entry in parsed.entries:
        url = entry.get("link") or _alternate(entry)
        if not url:
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        document.links.append(
            Link(url=url, title=(entry.get("title") or None), published_at=_from_struct(stamp))
        )
    return document


def _alternate(entry: Any) -> str | None:
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    return None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element: ET.Element, name: str) -> str | None:
    child = _child(element, name)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _from_struct(stamp: time.struct_time | None) -> str | None:
    if stamp is None:
        return None
    return _z(datetime.fromtimestamp(calendar.timegm(stamp), UTC))


def _iso(value: str | None) -> str | None:
    """A W3C datetime (as sitemaps carry) in the one timestamp format, or None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return _z(parsed.astimezone(UTC))


def _z(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
