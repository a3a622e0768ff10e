"""A real Prometheus scrapes the running service; its query API shows the series move."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from newsingest.broker import free_port
from newsingest.config import ApiSettings, EnrichSettings, FetchSettings, RunnerSettings
from newsingest.pipeline import url_output
from newsingest.urls import url_record
from tests.conftest import SettingsFactory
from tests.integration.origin import Origin, seed_pages
from tests.integration.stage import running_app
from tests.prometheus_package import debian_prometheus

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture
def api_port() -> int:
    return free_port()


@pytest.fixture
def prometheus(tmp_path: Path, api_port: int) -> Iterator[str]:
    binary = debian_prometheus("prometheus")
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: newsingest\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{api_port}']}}]\n"
    )
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
async def origin() -> AsyncIterator[Origin]:
    async with Origin(seed_pages()) as server:
        yield server


async def _query(client: httpx.AsyncClient, expression: str) -> float | None:
    """The summed value of an instant query, or None while Prometheus has no sample."""
    try:
        answer = await client.get("/api/v1/query", params={"query": expression})
    except httpx.TransportError:
        return None  # Prometheus still starting
    result = answer.json()["data"]["result"] if answer.status_code == 200 else []
    return sum(float(r["value"][1]) for r in result) if result else None


async def _until(client: httpx.AsyncClient, expression: str, minimum: float) -> float:
    async with asyncio.timeout(60):
        while True:
            value = await _query(client, expression)
            if value is not None and value >= minimum:
                return value
            await asyncio.sleep(0.5)


async def test_prometheus_sees_the_key_series_move(
    make_settings: SettingsFactory, origin: Origin, prometheus: str, api_port: int
) -> None:
    settings = make_settings(
        fetch=FetchSettings(allow=[origin.allow], host_delay_s=0, retries=0),
        enrich=EnrichSettings(workers=1),
        api=ApiSettings(port=api_port),
        runner=RunnerSettings(commit_interval_s=0.1),
    )
    async with (
        running_app(settings, stages=["fetch", "enrich"]) as app,
        httpx.AsyncClient(base_url=prometheus) as client,
    ):
        await _until(client, 'up{job="newsingest"}', 1)
        assert await _until(client, "newsingest_broker_up", 1) == 1
        before = await _query(client, "sum(newsingest_records_out_total)") or 0.0

        assert app.publisher is not None
        urls = [url_record(origin.url(p), "api") for p in origin.pages]
        await app.publisher.publish([url_output(u, settings.topics) for u in urls])

        fetched = 'sum(newsingest_records_in_total{stage="fetch"})'
        assert await _until(client, fetched, len(urls)) >= len(urls)
        produced = await _until(client, "sum(newsingest_records_out_total)", before + 10)
        assert produced >= before + 10  # pages and articles
        assert await _until(client, "sum(newsingest_fetch_total)", len(urls)) >= len(urls)
        assert await _until(client, "sum(newsingest_extract_seconds_count)", 5) >= 5
        assert await _until(client, "count(newsingest_last_commit_timestamp_seconds)", 1) >= 1
        assert await _until(client, "count(newsingest_build_info)", 1) == 1
