"""The hostile origin's routes: each misbehaves in one way a real server can."""

from __future__ import annotations

import asyncio
import gzip
import zlib

from tests.integration.fetch.origin import Handler, Request, head, respond

GOOD_HTML = "<html><head><title>Good</title></head><body><p>Überall gut.</p></body></html>"
CP1252_PAGE = (
    "<html><body><p>Le café était déjà plein, naïve façade — «rêve» à côté. "
    "Les élèves préférés étaient là, près du théâtre.</p></body></html>"
)
HTML = {"Content-Type": "text/html; charset=utf-8"}


async def tarpit(request: Request, writer: asyncio.StreamWriter) -> None:
    """Headers at once, then one byte every 100 ms: every read is 'on time'."""
    writer.write(head(200, HTML, length=100_000))
    while True:
        writer.write(b"a")
        await writer.drain()
        await asyncio.sleep(0.1)


async def silent(request: Request, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(3600)


async def gzip_bomb(request: Request, writer: asyncio.StreamWriter) -> None:
    """A gzip stream of 1 GiB of zeros (about 1 MB on the wire), made as it is read."""
    writer.write(head(200, {**HTML, "Content-Encoding": "gzip"}))
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    for _ in range(1024):
        writer.write(packer.compress(zeros))
        await writer.drain()
    writer.write(packer.flush())


async def endless(request: Request, writer: asyncio.StreamWriter) -> None:
    writer.write(head(200, HTML))
    chunk = b"<p>" + b"x" * 65_536 + b"</p>"
    while True:
        writer.write(chunk)
        await writer.drain()


async def declared_huge(request: Request, writer: asyncio.StreamWriter) -> None:
    writer.write(head(200, HTML, length=999_999_999) + b"<p>")


def redirect(location: str) -> Handler:
    return respond(302, headers={"Location": location})


def hostile_routes(other_origin: str) -> dict[str, Handler]:
    """``other_origin``: another loopback origin the settings do not allow."""
    cp1252 = CP1252_PAGE.encode("cp1252")
    return {
        "/robots.txt": respond(404),
        "/good": respond(200, GOOD_HTML.encode(), HTML),
        "/text": respond(200, b"plain words", {"Content-Type": "text/plain"}),
        "/tarpit": tarpit,
        "/silent": silent,
        "/bomb": gzip_bomb,
        "/endless": endless,
        "/declared-huge": declared_huge,
        "/loop-a": redirect("/loop-b"),
        "/loop-b": redirect("/loop-a"),
        "/to-other-port": redirect(f"{other_origin}/good"),
        "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-file": redirect("file:///etc/passwd"),
        "/hop": redirect("/good"),
        "/pdf": respond(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", {"Content-Type": "application/pdf"}),
        "/no-type": respond(200, b"<p>hi</p>"),
        "/stacked": respond(
            200,
            gzip.compress(gzip.compress(GOOD_HTML.encode())),
            {**HTML, "Content-Encoding": "gzip, gzip"},
        ),
        "/brotli": respond(200, b"\x1b\x00", {**HTML, "Content-Encoding": "br"}),
        "/gzipped": respond(
            200, gzip.compress(GOOD_HTML.encode()), {**HTML, "Content-Encoding": "gzip"}
        ),
        "/mislabelled": respond(200, cp1252, HTML),
        "/meta-charset": respond(
            200,
            b'<html><head><meta charset="windows-1252"></head>' + cp1252,
            {"Content-Type": "text/html"},
        ),
        "/bom": respond(
            200,
            b"\xef\xbb\xbf" + GOOD_HTML.encode(),
            {"Content-Type": "text/html; charset=latin-1"},
        ),
        "/binary": respond(200, bytes(range(256)) * 8, {"Content-Type": "text/html"}),
        "/500": respond(500),
        "/404": respond(404),
        "/429-long": respond(429, headers={"Retry-After": "3600"}),
    }
