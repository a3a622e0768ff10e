"""The pattern data: every language file loads, uses known kinds, compiles once."""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable

import pytest
import yaml

from newsingest.extract import REASONS
from newsingest.extract._patterns import PATTERNS, load

PATTERN_FILES = sorted(
    (
        p
        for p in resources.files("newsingest.extract").joinpath("patterns").iterdir()
        if p.name.endswith(".yaml")
    ),
    key=lambda p: p.name,
)
KNOWN_KEYS = {
    "trailer",
    "trailer_phrases",
    "inline",
    "trailer_block",
    "trailer_tail",
    "credit",
    "caption",
    "metadata",
    "byline",
    "months",
    "conjunctions",
    "minor_words",
    "stopwords",
}


def test_english_is_there() -> None:
    assert "en" in PATTERNS.languages
    assert (PATTERNS.months["february"], PATTERNS.months["feb"]) == (2, 2)


@pytest.mark.parametrize("path", PATTERN_FILES, ids=lambda p: p.name)
def test_language_file_uses_known_keys_only(path: Traversable) -> None:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert set(data) <= KNOWN_KEYS
    for key in KNOWN_KEYS - {
        "months",
        "minor_words",
        "stopwords",
        "trailer_phrases",
        "conjunctions",
    }:
        for regex in data.get(key) or ():
            re.compile(regex)


def test_loading_twice_gives_equal_patterns() -> None:
    again = load()
    assert again.chrome.pattern == PATTERNS.chrome.pattern
    assert again.stopwords == PATTERNS.stopwords


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Comments are no longer available on this story", "trailer"),
        ("Most Popular", "trailer_block"),
        ("Advertisement", "inline"),
        ("Getty Images", "credit"),
        ("(PA)", "credit"),
        ("Image caption, Smoke over the city", "caption"),
        ("The strike was confirmed by Reuters.", None),
        ("Read more about the plan, the minister said.", None),
    ],
)
def test_chrome_kind_of_a_line(line: str, kind: str | None) -> None:
    match = PATTERNS.chrome.fullmatch(line)
    assert (match.lastgroup if match else None) == kind


def test_reason_codes_are_a_small_fixed_set() -> None:
    assert (
        frozenset(
            {
                "trailer",
                "unrelated_headline",
                "caption",
                "credit",
                "metadata_prefix",
                "duplicate",
                "fragment",
                "too_long",
            }
        )
        == REASONS
    )
