"""The whole service in one process: real broker, real loopback origin, real HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import jsonschema
import pytest

from newsingest.app import App
from newsingest.config import (
    ApiSettings,
    EnrichSettings,
    FetchSettings,
    RunnerSettings,
    Settings,
)
from newsingest.runner import Message
from newsingest.schemas import load
from tests.conftest import SettingsFactory
from tests.integration.origin import Origin, Page, seed_pages
from tests.integration.stage import running_app
from tests.integration.topics import read_topic, values

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

HTML_ARTICLE = b"""<!doctype html><html><head><title>Rocket attack hits base in Syria</title>
<meta name="description" content="test page"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Rocket attack hits base in Syria</h1>
<p>Several rockets struck a base hosting US troops in eastern Syria on Monday, officials said,
in an attack that caused no casualties and minor damage to the facility.</p>
<p>The Islamic Resistance in Iraq, an umbrella of Iran-backed militias, claimed the attack in a
statement on its Telegram channel, saying it had targeted the base with a barrage of rockets.</p>
<p>The base, near the Conoco gas field in Deir ez-Zor province, has been attacked several times
since October, according to the Pentagon.</p>
</article><footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>"""


_SEED_000_001 = ("000_d50d56507f625e00.txt", "001_0d287febd08e1a4d.txt")


@pytest.fixture
async def origin() -> AsyncIterator[Origin]:
    pages = seed_pages()
    pages["/world/rocket-attack.html"] = Page(HTML_ARTICLE, "text/html; charset=utf-8")
    pages["/report.pdf"] = Page(b"%PDF-1.4 not a news page", "application/pdf")
    async with Origin(pages) as server:
        yield server


def _settings(make_settings: SettingsFactory, origin: Origin) -> Settings:
    return make_settings(
        fetch=FetchSettings(allow=[origin.allow], host_delay_s=0, max_per_host=4, retries=0),
        enrich=EnrichSettings(workers=2),
        api=ApiSettings(port=0),
        runner=RunnerSettings(commit_interval_s=0.2),
    )


async def test_submitted_urls_end_on_articles_strikes_and_dlq(
    make_settings: SettingsFactory, origin: Origin
) -> None:
    settings = _settings(make_settings, origin)
    async with running_app(settings) as app:
        assert app.api is not None
        api = f"http://127.0.0.1:{app.api.port}"
        good = [origin.url(p) for p in origin.pages if p != "/report.pdf"]
        bad = [origin.url("/missing.html"), origin.url("/report.pdf")]
        async with httpx.AsyncClient(base_url=api) as client:
            malformed = await client.post("/v1/urls", content=b'{"urls": "not a list"}')
            assert malformed.status_code == 400
            invalid = await client.post("/v1/urls", json={"urls": ["ftp://example.com/x"]})
            assert invalid.status_code == 400
            accepted = await client.post("/v1/urls", json={"urls": good + bad})
            assert accepted.status_code == 202, accepted.text

            articles = values(await read_topic(app.cluster, settings.topics.articles, len(good)))
            dead = values(await read_topic(app.cluster, settings.topics.dlq, len(bad)))

            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert (await client.get("/healthz")).status_code == 200
            metrics = (await client.get("/metrics")).text

    for article in articles:
        jsonschema.validate(article, load("article.schema.json"))
    for record in dead:
        jsonschema.validate(record, load("dlq.schema.json"))
    by_url = {a["url"]: a for a in articles}
    assert set(by_url) == set(good)
    assert {d["url"]: d["reason"] for d in dead} == {
        bad[0]: "http_4xx",
        bad[1]: "unsupported_content_type",
    }
    seed_000 = by_url[origin.url("/seeds/000_d50d56507f625e00.txt")]
    assert seed_000["tags"]["strike"]["is_strike"] is True
    assert "kataib_hezbollah" in {m["id"] for m in seed_000["tags"]["militias"]}
    html = by_url[origin.url("/world/rocket-attack.html")]
    assert "Islamic Resistance in Iraq" in html["text"]
    assert "All rights reserved" not in html["text"]

    strikes_expected = [a for a in articles if a["tags"]["strike"]["is_strike"]]
    assert len(strikes_expected) >= 4  # seeds 000-004 report strikes
    strikes = values(await _reopen(app, settings.topics.strikes, len(strikes_expected)))
    assert {s["article_id"] for s in strikes} == {a["article_id"] for a in strikes_expected}

    incidents = values(await _reopen(app, settings.topics.incidents, len(strikes_expected)))
    for incident in incidents:
        jsonschema.validate(incident, load("incident.schema.json"))
    latest = {i["incident_id"]: i for i in sorted(incidents, key=lambda i: i["version"])}
    twins = {by_url[origin.url(f"/seeds/{n}")]["article_id"] for n in _SEED_000_001}
    assert any(twins <= {s["article_id"] for s in i["sources"]} for i in latest.values())

    assert 'newsingest_records_in_total{stage="enrich"}' in metrics
    assert 'newsingest_records_dlq_total{reason="http_4xx",stage="fetch"}' in metrics


async def _reopen(app: App, topic: str, count: int) -> list[Message]:
    """Read a topic after the app stopped (its embedded broker is external here)."""
    from newsingest.broker import Cluster

    async with Cluster(app.settings) as cluster:
        return await read_topic(cluster, topic, count)
