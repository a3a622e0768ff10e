"""A real loopback HTTP origin serving news pages for the pipeline tests."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from aiohttp import web

from newsingest.api import bound_port

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO / "samples" / "seeds").glob("*.txt"))


@dataclass(frozen=True, slots=True)
class Page:
    body: bytes
    content_type: str
    status: int = 200


def seed_pages() -> dict[str, Page]:
    return {
        f"/seeds/{path.name}": Page(path.read_bytes(), "text/plain; charset=utf-8")
        for path in SEEDS
    }


class Origin:
    """Serves ``pages`` by path on 127.0.0.1, after ``delay_s``; 404 for anything else."""

    def __init__(self, pages: Mapping[str, Page], *, delay_s: float = 0.0) -> None:
        self.pages = dict(pages)
        self.delay_s = delay_s
        self.port = 0
        self.requests: list[str] = []
        self._runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def allow(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{path:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = bound_port(site)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Origin:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _serve(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        if request.path == "/robots.txt":
            return web.Response(text="User-agent: *\nAllow: /\n")
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        page = self.pages.get(request.path)
        if page is None:
            return web.Response(status=404, text="not found")
        return web.Response(
            body=page.body, status=page.status, headers={"Content-Type": page.content_type}
        )
