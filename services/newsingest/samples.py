"""``newsingest run --with-samples``: serve the repo's sample articles on loopback,
submit them, and print one line per enriched article as it arrives."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TextIO
from urllib.parse import urlsplit

import orjson
from aiohttp import web
from aiokafka import TopicPartition

from newsingest.api import bound_port
from newsingest.app import App
from newsingest.pipeline import url_output
from newsingest.urls import url_record

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"
_CONTENT_TYPES = {".txt": "text/plain; charset=utf-8", ".html": "text/html; charset=utf-8"}
_TITLE_WIDTH = 80
# A sentence ends at . ! or ? after a small letter or a digit (maybe closed by a quote
# or a bracket), before a space or the end: "U.S. forces" and "3.5 km" stay whole.
_FIRST_SENTENCE = re.compile(r".*?[a-z0-9][.!?][\"'”’)]?(?=\s|$)")


def sample_files(directory: Path = SAMPLES_DIR) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in _CONTENT_TYPES and p.is_file())


class SampleServer:
    """A loopback HTTP origin for the sample files (an allowed exception to the SSRF guard)."""

    def __init__(self, directory: Path = SAMPLES_DIR) -> None:
        self.directory = directory
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/robots.txt", self._robots)
        app.router.add_get("/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = bound_port(site)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def allow(self) -> str:
        return f"127.0.0.1:{self.port}"

    def urls(self) -> list[str]:
        return [
            f"http://127.0.0.1:{self.port}/{p.relative_to(self.directory).as_posix()}"
            for p in sample_files(self.directory)
        ]

    async def _robots(self, request: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nAllow: /\n")

    async def _file(self, request: web.Request) -> web.StreamResponse:
        path = (self.directory / request.match_info["path"]).resolve()
        if not path.is_relative_to(self.directory) or not path.is_file():
            raise web.HTTPNotFound()
        content_type = _CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        return web.Response(body=path.read_bytes(), headers={"Content-Type": content_type})


async def submit_and_follow(
    app: App, stop: asyncio.Event, *, server: SampleServer, out: TextIO = sys.stdout
) -> None:
    """Beside the running app: follow news.articles from its end, submit the samples, print."""
    topics = app.settings.topics
    consumer = app.cluster.consumer("samples", group=None, auto_offset_reset="latest")
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topics.articles) or set()
        tps = [TopicPartition(topics.articles, p) for p in sorted(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        for tp in tps:
            await consumer.position(tp)  # pin the start before anything is submitted
        assert app.publisher is not None
        records = [url_record(u, "cli") for u in server.urls()]
        await app.publisher.publish([url_output(r, topics) for r in records])
        print(f"submitted {len(records)} sample articles; waiting for them…", file=out, flush=True)
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=500)
            for messages in batch.values():
                for message in messages:
                    print(describe(orjson.loads(message.value or b"{}")), file=out, flush=True)
    finally:
        await consumer.stop()


def describe(article: dict[str, object]) -> str:
    """One line per article: title, strike yes/no, militias, lines removed."""
    tags = article.get("tags") or {}
    assert isinstance(tags, dict)
    strike = "strike" if (tags.get("strike") or {}).get("is_strike") else "no strike"
    militias = ",".join(m["id"] for m in tags.get("militias") or []) or "-"
    removed = article.get("removed") or []
    assert isinstance(removed, list)
    title = display_title(article)
    return f"{title} | {strike} | militias: {militias} | removed: {len(removed)} lines"


def display_title(article: Mapping[str, object], width: int = _TITLE_WIDTH) -> str:
    """The headline; for an article without one (plain text has none), its first sentence.

    A plain-text page is body only, so the lead sentence is what names the story
    (the URL of a seed is a hash). The URL's file name stands in for an empty text.
    """
    title = str(article.get("title") or "").strip()
    if not title:
        text = str(article.get("text") or "").strip()
        lead = text.split("\n", 1)[0]
        sentence = _FIRST_SENTENCE.match(lead)
        title = sentence.group() if sentence else lead
    if not title:
        url = str(article.get("url") or "")
        title = PurePosixPath(urlsplit(url).path).name or url
    return _clip(" ".join(title.split()), width)


def _clip(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0] if " " in text[: width - 1] else text[: width - 1]
    return cut.rstrip(",;:") + "…"
