"""TermMatcher's fast scan finds exactly what the plain trie regex finds."""

from __future__ import annotations

import random

import pytest

from newsingest.classify import Classifier
from newsingest.classify.matcher import TermMatcher, fold

TERMS = {
    "air strike": ["noun"],
    "strike": ["noun"],
    "kata'ib hezbollah": ["kh"],
    "hezbollah": ["lb"],
    "nujaba'": ["n"],
    "f/a-18": ["jet"],
    "us forces": ["us"],
    "forces": ["mil"],
}
PIECES = [*TERMS, "kataib", "hezbollah's", "air", "the", "x_y", "é", "us"]
GLUE = [" ", " ", "-", "'", "\n", ", ", ". ", "  ", "(", "“", "/", "", "\t", "_", "😀", "𝐀"]


def reference(matcher: TermMatcher[str], folded: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in matcher.pattern.finditer(folded)]


def random_texts(pieces: list[str], count: int) -> list[str]:
    rng = random.Random(7)
    return [
        "".join(rng.choice(pieces) + rng.choice(GLUE) for _ in range(rng.randint(1, 8)))
        for _ in range(count)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Strike",  # a term at the very start and end
        "air strike",
        "air\nstrike",  # a line break is no space
        "Nujaba' forces",  # a term that ends with an apostrophe, then the next one
        "kata'ib-hezbollah's forces",
        "F/A-18 air-strike",
        "😀strike 𝐀strike",  # astral characters: a non-word one and a letter
        "x_strike _strike",
        "",
    ],
)
def test_spans_are_the_matches_of_the_pattern(text: str) -> None:
    matcher = TermMatcher(TERMS)
    folded = fold(text)
    assert list(matcher.spans(folded)) == reference(matcher, folded)


def test_spans_match_the_pattern_on_random_text() -> None:
    matcher = TermMatcher(TERMS)
    for text in random_texts(PIECES, 3000):
        folded = fold(text)
        assert list(matcher.spans(folded)) == reference(matcher, folded), text


def test_spans_match_the_pattern_with_the_lexicon(classifier: Classifier) -> None:
    matcher = classifier._cues._matcher  # type: ignore[attr-defined]
    for text in random_texts([*matcher.table][::7], 1500):
        folded = fold(text)
        assert list(matcher.spans(folded)) == reference(matcher, folded), text


def test_a_term_that_opens_with_a_hyphen_falls_back_to_the_pattern() -> None:
    matcher = TermMatcher({"-led": ["x"], "us": ["us"]})
    assert list(matcher.spans("us-led")) == reference(matcher, "us-led")
