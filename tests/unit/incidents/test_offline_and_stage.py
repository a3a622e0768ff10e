from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

from newsingest.incidents import IncidentLinker, IncidentRecord
from newsingest.incidents.offline import main
from newsingest.incidents.stage import IncidentStage, incident_outputs
from newsingest.metrics import Metrics
from newsingest.records import decode, encode

from .conftest import ArticleFactory

SAADI = (
    "A US drone strike in Baghdad killed Abu Baqir al-Saadi, a commander of Kataib Hezbollah, "
    "on Wednesday night."
)
SAADI_AGAIN = "Kataib Hezbollah said Abu Baqir al-Saadi was killed by a drone in eastern Baghdad."
HILLAH = "An air strike hit a Harakat al-Nujaba depot near Hillah on Sunday, officials said."


def _write(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"\n".join(lines) + b"\n")


def test_offline_prints_the_latest_version_of_each_incident(
    tmp_path: Path, article: ArticleFactory
) -> None:
    file = tmp_path / "enriched.jsonl"
    _write(
        file,
        [
            encode(article(SAADI, url="https://a.example/1")),
            encode(
                article(
                    HILLAH,
                    url="https://a.example/2",
                    places=("Hillah",),
                    targets=("nujaba",),
                    event_date="2024-02-11",
                    published_at="2024-02-11T10:00:00Z",
                )
            ),
            encode(article(SAADI_AGAIN, url="https://b.example/3")),
        ],
    )
    out = io.StringIO()
    assert main([str(file)], out=out) == 0
    incidents = [decode(IncidentRecord, line) for line in out.getvalue().splitlines()]
    assert [len(i.sources) for i in incidents] == [2, 1]
    assert incidents[0].version == 2

    every = io.StringIO()
    assert main([str(file), "--all-versions"], out=every) == 0
    assert len(every.getvalue().splitlines()) == 3


def test_offline_rejects_a_line_that_is_not_a_record(tmp_path: Path) -> None:
    file = tmp_path / "bad.jsonl"
    _write(file, [b'{"not": "an article"}'])
    assert main([str(file)], out=io.StringIO()) == 2


async def test_stage_links_and_publishes_under_the_incident_id(article: ArticleFactory) -> None:
    stage = IncidentStage(IncidentLinker())
    (first,) = await stage(article(SAADI, url="https://a.example/1"))
    (second,) = await stage(article(SAADI_AGAIN, url="https://b.example/3"))
    assert second.incident_id == first.incident_id
    (out,) = incident_outputs([second], "news.incidents")
    assert out.key == second.incident_id.encode()
    assert decode(IncidentRecord, out.value) == second


async def test_stage_restores_from_the_compacted_topic(article: ArticleFactory) -> None:
    before = IncidentStage(IncidentLinker())
    (kept,) = await before(article(SAADI, url="https://a.example/1"))
    (dropped,) = await before(
        article(HILLAH, url="https://a.example/2", places=("Hillah",), targets=("nujaba",))
    )

    async def table() -> AsyncIterator[tuple[bytes, bytes | None]]:
        yield kept.incident_id.encode(), encode(kept)
        yield b"garbage", b"{not json"
        yield dropped.incident_id.encode(), encode(dropped)
        yield dropped.incident_id.encode(), None  # a tombstone deletes it

    after = IncidentStage(IncidentLinker())
    assert await after.restore_from(table()) == 1
    (joined,) = await after(article(SAADI_AGAIN, url="https://b.example/3"))
    assert joined.incident_id == kept.incident_id
    assert joined.version == kept.version + 1


async def test_stage_ignores_reports_not_tagged_as_strikes(article: ArticleFactory) -> None:
    report = article(SAADI, url="https://a.example/1")
    tags = replace(report.tags, strike=replace(report.tags.strike, is_strike=False))
    assert await IncidentStage(IncidentLinker())(replace(report, tags=tags)) == []


async def test_stage_counts_links_by_outcome_and_open_incidents(article: ArticleFactory) -> None:
    metrics = Metrics()
    stage = IncidentStage(IncidentLinker(), metrics)

    def links(outcome: str) -> float | None:
        return metrics.registry.get_sample_value(
            "newsingest_incident_links_total", {"outcome": outcome}
        )

    first = article(SAADI, url="https://a.example/1")
    await stage(first)
    await stage(article(SAADI_AGAIN, url="https://b.example/3"))
    await stage(article(SAADI + " No more was said.", url="https://c.example/4"))
    await stage(first)  # a redelivery is not counted again
    await stage(article(HILLAH, url="https://a.example/2", places=("Hillah",), targets=("nujaba",)))
    assert (links("opened"), links("linked"), links("duplicate")) == (2.0, 1.0, 1.0)
    assert metrics.registry.get_sample_value("newsingest_incidents_open") == 2.0


async def test_stage_counts_merged_incidents(article: ArticleFactory) -> None:
    metrics = Metrics()
    stage = IncidentStage(IncidentLinker(), metrics)
    await stage(article("A drone hit a car in Baghdad.", url="https://a.example/1", targets=()))
    await stage(article("Kataib Hezbollah lost a commander.", url="https://b.example/2", places=()))
    await stage(article(SAADI, url="https://c.example/3"))
    merged = metrics.registry.get_sample_value(
        "newsingest_incident_links_total", {"outcome": "merged"}
    )
    assert merged == 1.0
    assert metrics.registry.get_sample_value("newsingest_incidents_open") == 1.0
