from __future__ import annotations

import gzip

import pytest

from newsingest.discover.documents import DocumentError, Link, gunzip, read_document

RSS2 = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>T</title>
<item><title>Strike near Baghdad</title><link>https://news.test/a?utm_source=rss</link>
<pubDate>Tue, 02 Jan 2024 10:00:00 +0100</pubDate></item>
<item><title>No link</title></item>
</channel></rss>"""
RSS091 = b"""<?xml version="1.0"?><rss version="0.91"><channel><title>T</title><link>https://n.test/</link>
<description>d</description><item><title>Old style</title><link>https://n.test/old</link></item>
</channel></rss>"""
RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://n.test/"><title>T</title><link>https://n.test/</link><description>d</description></channel>
<item rdf:about="https://n.test/rdf"><title>RDF item</title><link>https://n.test/rdf</link>
<dc:date>2024-01-02T09:00:00Z</dc:date></item></rdf:RDF>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:x</id><updated>2024-01-02T09:00:00Z</updated>
<entry><title>Atom entry</title><id>urn:1</id><link rel="alternate" href="https://n.test/atom"/>
<published>2024-01-02T08:30:00Z</published><updated>2024-01-02T09:00:00Z</updated></entry></feed>"""
NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://n.test/news1</loc><news:news><news:publication><news:name>N</news:name>
<news:language>en</news:language></news:publication>
<news:publication_date>2024-01-02T10:00:00+03:00</news:publication_date>
<news:title>Drone strike reported</news:title></news:news></url>
<url><loc> https://n.test/plain </loc><lastmod>2024-01-01</lastmod></url>
</urlset>"""
INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://n.test/s1.xml</loc><lastmod>2024-01-02</lastmod></sitemap>
<sitemap><loc>https://n.test/s2.xml.gz</loc></sitemap></sitemapindex>"""


def test_rss2() -> None:
    document = read_document(RSS2)
    assert document.kind == "feed"
    assert document.links == [
        Link(
            "https://news.test/a?utm_source=rss", "Strike near Baghdad", "2024-01-02T09:00:00.000Z"
        )
    ]


@pytest.mark.parametrize(
    ("body", "link"),
    [
        (RSS091, Link("https://n.test/old", "Old style", None)),
        (RSS1, Link("https://n.test/rdf", "RDF item", "2024-01-02T09:00:00.000Z")),
        (ATOM, Link("https://n.test/atom", "Atom entry", "2024-01-02T08:30:00.000Z")),
    ],
)
def test_other_feed_formats(body: bytes, link: Link) -> None:
    assert read_document(body).links == [link]


def test_google_news_sitemap() -> None:
    document = read_document(NEWS_SITEMAP)
    assert document.kind == "sitemap"
    assert document.links == [
        Link("https://n.test/news1", "Drone strike reported", "2024-01-02T07:00:00.000Z"),
        Link("https://n.test/plain"),
    ]


def test_sitemap_index() -> None:
    document = read_document(INDEX)
    assert [(c.url, c.lastmod) for c in document.sitemaps] == [
        ("https://n.test/s1.xml", "2024-01-02"),
        ("https://n.test/s2.xml.gz", None),
    ]
    assert document.links == []


@pytest.mark.parametrize("body", [b"<html><body>not a feed</body></html>", b"\x00\x01garbage", b""])
def test_unreadable_documents(body: bytes) -> None:
    with pytest.raises(DocumentError):
        read_document(body)


def test_entity_expansion_is_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lololololololololol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
            for i in range(1, 10)
        )
        + b"]><urlset><url><loc>&lol9;</loc></url></urlset>"
    )
    with pytest.raises(DocumentError):
        read_document(laughs, "sitemap")


def test_gunzip_is_capped() -> None:
    assert gunzip(gzip.compress(b"<urlset/>"), 100) == b"<urlset/>"
    with pytest.raises(DocumentError):
        gunzip(gzip.compress(bytes(10_000)), 1000)
