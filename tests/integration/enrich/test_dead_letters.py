"""The enrich stage running on the embedded broker: pages without an article end in news.dlq.

The app runs the enrich stage alone (consumer group, process pool, runner, DLQ);
the test puts page records on news.pages and reads news.dlq and news.articles
back from the broker, as a downstream consumer would.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from prometheus_client import generate_latest

from newsingest.broker.publisher import Outgoing, Publisher
from newsingest.config import ApiSettings, EnrichSettings, RunnerSettings
from newsingest.localrun import page_from_text
from newsingest.metrics import Metrics
from newsingest.records import PageRecord, encode
from newsingest.schemas import load
from tests.conftest import SettingsFactory
from tests.integration.stage import running_app
from tests.integration.topics import read_topic, values

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

SEED = Path(__file__).resolve().parents[3] / "samples" / "seeds" / "000_d50d56507f625e00.txt"
DEADLINE_S = 0.3


def _page(name: str, body: str) -> PageRecord:
    return page_from_text(
        body, url=f"https://news.example/{name}", content_type="text/plain; charset=utf-8"
    )


def _slow_body() -> str:
    """2.5 MB of distinct paragraphs: about a second of work, several times the deadline."""
    return "\n".join(
        f"Paragraph {n}: a drone strike hit depot {n} near the border town of Qaim on "
        f"Monday, officials said, and {n % 7} people were hurt."
        for n in range(20_000)
    )


async def test_empty_junk_and_slow_pages_are_dead_lettered_with_their_reason(
    make_settings: SettingsFactory,
) -> None:
    settings = make_settings(
        enrich=EnrichSettings(workers=1, timeout_s=DEADLINE_S),
        api=ApiSettings(enabled=False),
        runner=RunnerSettings(commit_interval_s=0.2, max_attempts=2),
    )
    junk = random.Random(3).randbytes(200_000).decode("utf-8", errors="replace")
    pages = {
        "empty": _page("empty", " \n\t\n "),
        "junk": _page("junk", junk),
        "slow": _page("slow", _slow_body()),
        "good": _page("good", SEED.read_text(encoding="utf-8")),
    }
    async with running_app(settings, stages=["enrich"]) as app:
        async with Publisher(app.cluster.producer("test-pages"), Metrics()) as publisher:
            await publisher.publish(
                [
                    Outgoing(settings.topics.pages, encode(p), key=p.url_id.encode())
                    for p in pages.values()
                ]
            )
        dead = await read_topic(app.cluster, settings.topics.dlq, 3, within_s=60, distinct=True)
        articles = values(await read_topic(app.cluster, settings.topics.articles, 1))
        metrics = generate_latest(app.metrics.registry).decode()

    records: dict[str, dict[str, Any]] = {}
    for message in dead:
        record = orjson.loads(message.value or b"null")
        jsonschema.validate(record, load("dlq.schema.json"))
        records[record["url_id"]] = record  # a retried page: its last dead letter
    by_name = {name: records[p.url_id] for name, p in pages.items() if p.url_id in records}
    assert sorted(by_name) == ["empty", "junk", "slow"]
    assert {name: r["reason"] for name, r in by_name.items()} == {
        "empty": "extract_empty",
        "junk": "extract_empty",
        "slow": "extract_timeout",
    }
    assert "does not read as text" in by_name["junk"]["error"]
    for name, record in by_name.items():
        page = pages[name]
        assert record["stage"] == "enrich"
        assert record["url"] == page.url
        assert record["attempts"] >= 1
        original = record["original"]
        assert original["topic"] == settings.topics.pages
        assert isinstance(original["offset"], int)
        assert original["key"] == page.url_id
        assert original["encoding"] == "utf-8"
        assert orjson.loads(original["value"])["body"] == page.body  # replayable as it was
    assert by_name["empty"]["attempts"] == 1  # not retriable: no second try
    assert by_name["junk"]["attempts"] == 1

    assert [a["url"] for a in articles] == [pages["good"].url]
    assert 'newsingest_records_dlq_total{reason="extract_empty",stage="enrich"} 2.0' in metrics
    assert 'reason="extract_timeout",stage="enrich"' in metrics
