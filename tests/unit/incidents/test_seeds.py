"""The five seed articles through real extraction, classification and linking."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsingest.enrich.work import build_article
from newsingest.incidents import IncidentLinker, IncidentRecord
from newsingest.records import ArticleRecord, PageRecord, stable_id

SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"


def seed_article(number: str) -> ArticleRecord:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    url = f"https://seeds.example/{path.stem}"
    page = PageRecord(
        url_id=stable_id(url),
        url=url,
        final_url=url,
        status=200,
        fetched_at="2026-11-21T12:00:00Z",
        content_type="text/plain",
        charset="utf-8",
        body=path.read_text(encoding="utf-8"),
    )
    return build_article(page, 1_000_000)


@pytest.fixture(scope="module")
def linked() -> dict[str, IncidentRecord]:
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS}")
    linker = IncidentLinker()
    return {n: linker.link(seed_article(n)) for n in ("000", "001", "002", "003", "004")}


def test_seeds_000_and_001_are_one_incident_with_both_sources(
    linked: dict[str, IncidentRecord],
) -> None:
    assert linked["000"].incident_id == linked["001"].incident_id
    final = linked["001"]
    assert len(final.sources) == 2
    assert {s.url.rsplit("/", 1)[-1][:3] for s in final.sources} == {"000", "001"}


def test_seeds_002_003_004_each_open_their_own_incident(
    linked: dict[str, IncidentRecord],
) -> None:
    ids = [linked[n].incident_id for n in ("000", "002", "003", "004")]
    assert len(set(ids)) == 4
    for n in ("002", "003", "004"):
        assert [s.url.rsplit("/", 1)[-1][:3] for s in linked[n].sources] == [n]
