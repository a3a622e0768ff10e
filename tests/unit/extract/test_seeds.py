"""The five seed articles, as text/plain pages: the issue's acceptance checks and fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from newsingest.extract import extract_document
from tests.unit.extract.support import CLEANING, SEEDS, load_yaml, seed_text

FIXTURES = sorted((CLEANING / "seeds").glob("*.yaml"))


def _extract(name: str) -> Any:
    return extract_document(seed_text(name), content_type="text/plain; charset=utf-8")


def test_seed_002_loses_the_comments_notice_and_the_photo_credit() -> None:
    doc = _extract("002_cd71f42ea9b65ce2.txt")
    assert "Comments are no longer available" not in doc.text
    assert "Sarmad Salim for The Washington Post" not in doc.text
    assert "U.S. diplomatic envoy Amos Hochstein visited Lebanon Wednesday" in doc.text


def test_seed_001_does_not_end_with_the_nairobi_headline() -> None:
    doc = _extract("001_0d287febd08e1a4d.txt")
    assert not doc.text.endswith("Escapes From Police Custody In Nairobi")
    assert doc.text.endswith("commercial vessels in the Red Sea.")


def test_seed_004_date_prefix_becomes_published_at() -> None:
    doc = _extract("004_ac34c4d9b940b12e.txt")
    assert doc.published_at == "2021-02-26"
    assert not doc.text.startswith("date")
    assert doc.text.startswith("The Pentagon said the strike")


def test_seed_003_subheads_are_headings_on_their_own_lines() -> None:
    doc = _extract("003_cd663ec5c184e802.txt")
    lines = doc.text.split("\n")
    assert [h.text for h in doc.headings] == ["'Blatant aggression'", "Repeated attacks"]
    for heading in doc.headings:
        assert heading.text in lines
        assert doc.text[heading.start : heading.end] == heading.text


def test_a_feed_date_hint_wins_over_the_prefix_date() -> None:
    doc = extract_document(
        seed_text("004_ac34c4d9b940b12e.txt"),
        content_type="text/plain",
        published_hint="2021-02-26T03:10:00+00:00",
    )
    assert doc.published_at == "2021-02-26T03:10:00+00:00"


def test_seed_samples_are_the_shared_seeds_unchanged() -> None:
    shared = Path(__file__).resolve().parents[4] / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("shared seeds not beside the repository")
    for path in shared.glob("*.txt"):
        assert (SEEDS / path.name).read_bytes() == path.read_bytes()


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_seed_fixture(fixture: Path) -> None:
    expected = load_yaml(fixture)
    doc = _extract(expected["seed"])

    assert doc.text == expected["text"]
    assert [[r.reason, r.text] for r in doc.removed] == expected["removed"]
    assert [h.text for h in doc.headings] == expected["headings"]
    assert doc.published_at == expected.get("published_at")
