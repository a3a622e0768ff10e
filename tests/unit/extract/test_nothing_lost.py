"""Property-style checks: whatever the input, text + removed hold every word of it.

Inputs are the hand-written cases, the seeds, and documents shuffled together
from their lines with random whitespace and control characters (seeded, so a
failure reproduces).
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from newsingest.extract import REASONS, Cleaned, clean_text
from tests.unit.extract.support import CLEANING, SEEDS, load_yaml, words

CASES: list[dict[str, Any]] = load_yaml(CLEANING / "cases.yaml")
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
LINES = [
    line
    for text in [c["input"] for c in CASES] + SEED_TEXTS
    for line in text.splitlines()
    if line.strip()
]
_NOISE = ["", " ", "  ", "\t", "\x00", "\u200f", "\x0c", "\ufeff", "\r"]


def _random_document(rng: random.Random) -> str:
    chosen = rng.choices(LINES, k=rng.randint(1, 25))
    pieces = []
    for line in chosen:
        if rng.random() < 0.2:
            line = line.upper() if rng.random() < 0.5 else line.lower()
        if rng.random() < 0.2:
            cut = rng.randrange(len(line))
            line = line[cut:]
        pieces.append(rng.choice(_NOISE) + line + rng.choice(_NOISE))
    separator = rng.choice(["\n", "\n\n", "\r\n", " "])
    return separator.join(pieces)


def assert_accounts_for(source: str, cleaned: Cleaned) -> None:
    removed: Counter[str] = Counter()
    for removal in cleaned.removed:
        assert removal.reason in REASONS
        assert removal.text.strip()
        removed += words(removal.text)
    assert words(cleaned.text) + removed == words(source)


def assert_well_formed(cleaned: Cleaned) -> None:
    lines = cleaned.text.split("\n") if cleaned.text else []
    assert all(line and line == line.strip() for line in lines)
    for heading in cleaned.headings:
        assert cleaned.text[heading.start : heading.end] == heading.text
        assert heading.text in lines


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_cases_lose_nothing(case: dict[str, Any]) -> None:
    cleaned = clean_text(case["input"], title=case.get("title"))
    assert_accounts_for(case["input"], cleaned)
    assert_well_formed(cleaned)


@pytest.mark.parametrize("text", SEED_TEXTS)
def test_seeds_lose_nothing(text: str) -> None:
    cleaned = clean_text(text)
    assert_accounts_for(text, cleaned)
    assert_well_formed(cleaned)


@pytest.mark.parametrize("seed", range(8))
def test_shuffled_documents_lose_nothing(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        document = _random_document(rng)
        cleaned = clean_text(document, title=rng.choice([None, *LINES[:5]]))
        assert_accounts_for(document, cleaned)
        assert_well_formed(cleaned)


def test_a_removal_is_never_kept_as_well() -> None:
    cleaned = clean_text(SEED_TEXTS[2])
    for removal in cleaned.removed:
        assert removal.text not in cleaned.text.split("\n")
