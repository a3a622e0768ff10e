"""The HTTP API: metrics, health probes and URL submission."""

from __future__ import annotations

from types import TracebackType

import orjson
import structlog
from aiohttp import web
from aiokafka.errors import KafkaError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from newsingest.broker.publisher import Publisher
from newsingest.config import ApiSettings, TopicSettings
from newsingest.errors import NewsingestError
from newsingest.health import Health
from newsingest.metrics import Metrics
from newsingest.pipeline import url_output
from newsingest.records import UrlRecord
from newsingest.urls import url_record

log = structlog.get_logger(__name__)


def bound_port(site: web.TCPSite) -> int:
    """The port a started site listens on (0 asks the OS for one)."""
    server = site._server  # aiohttp has no public accessor for the bound port
    sockets = getattr(server, "sockets", None) or []
    return int(sockets[0].getsockname()[1]) if sockets else 0


def _json(payload: object, status: int) -> web.Response:
    return web.Response(body=orjson.dumps(payload), status=status, content_type="application/json")


class Api:
    """``GET /metrics``, ``GET /healthz``, ``GET /readyz``, ``POST /v1/urls``.

    ``publisher`` is optional: a process without a producer (none today) would
    answer 503 to submissions.
    """

    def __init__(
        self,
        settings: ApiSettings,
        topics: TopicSettings,
        metrics: Metrics,
        health: Health,
        publisher: Publisher | None,
    ) -> None:
        self._settings = settings
        self._topics = topics
        self._metrics = metrics
        self._health = health
        self._publisher = publisher
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def application(self) -> web.Application:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_get("/metrics", self._metrics_page)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_post("/v1/urls", self._submit)
        return app

    async def start(self) -> None:
        if self._runner is not None:
            return
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._settings.host, self._settings.port)
        await site.start()
        self.port = bound_port(site) or self._settings.port
        log.info("http api listening", host=self._settings.host, port=self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Api:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _count(self, path: str, code: int) -> None:
        self._metrics.api_requests.labels(path, str(code)).inc()

    async def _metrics_page(self, request: web.Request) -> web.Response:
        body = generate_latest(self._metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _healthz(self, request: web.Request) -> web.Response:
        live, problems = self._health.live()
        return _json({"live": live, "problems": problems}, 200 if live else 503)

    async def _readyz(self, request: web.Request) -> web.Response:
        ready, problems = self._health.ready()
        return _json({"ready": ready, "problems": problems}, 200 if ready else 503)

    async def _submit(self, request: web.Request) -> web.Response:
        status, payload = await self._accept(await request.read())
        self._count("/v1/urls", status)
        return _json(payload, status)

    async def _accept(self, body: bytes) -> tuple[int, dict[str, object]]:
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            return 400, {"error": f"body is not JSON: {exc}"}
        urls = document.get("urls") if isinstance(document, dict) else None
        if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
            return 400, {"error": 'expected {"urls": ["https://...", ...]} with at least one URL'}
        if len(urls) > self._settings.max_urls_per_request:
            return 400, {"error": f"at most {self._settings.max_urls_per_request} URLs per request"}
        records: list[UrlRecord] = []
        invalid = []
        for url in urls:
            try:
                records.append(url_record(url, "api"))
            except NewsingestError as exc:
                invalid.append({"url": url[:500], "error": str(exc)})
        if invalid:
            return 400, {"error": "invalid URLs; nothing was submitted", "invalid": invalid}
        if self._publisher is None:
            return 503, {"error": "this process does not publish"}
        try:
            await self._publisher.publish([url_output(r, self._topics) for r in records])
        except KafkaError as exc:
            log.warning("submission failed", error=repr(exc))
            return 503, {"error": "broker unavailable; retry later"}
        return 202, {"accepted": [{"url": r.url, "url_id": r.url_id} for r in records]}
