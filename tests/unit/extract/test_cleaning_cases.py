"""The hand-written cleaning cases of tests/data/cleaning/cases.yaml."""

from __future__ import annotations

from typing import Any

import pytest

from newsingest.extract import REASONS, clean_text
from tests.unit.extract.support import CLEANING, load_yaml

CASES: list[dict[str, Any]] = load_yaml(CLEANING / "cases.yaml")


def test_there_are_enough_cases_of_each_kind() -> None:
    reasons = {reason for case in CASES for reason, _ in case["removed"]}
    keepers = [c for c in CASES if c["name"].startswith("must_keep")]
    assert len(CASES) >= 45
    assert reasons == REASONS - {"too_long"}  # the size limit is extract_document's
    assert len(keepers) >= 12


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    cleaned = clean_text(case["input"], title=case.get("title"))

    assert cleaned.text == case["text"].rstrip("\n")
    assert [[r.reason, r.text] for r in cleaned.removed] == case["removed"]
    if "headings" in case:
        assert [h.text for h in cleaned.headings] == case["headings"]
    if "published_at" in case:
        assert cleaned.published_at == case["published_at"]
    if "authors" in case:
        assert cleaned.authors == case["authors"]
