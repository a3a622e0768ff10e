"""The cheap tests that let cleaning skip work give the answers of the work they skip."""

from __future__ import annotations

import itertools
import re
import sys
from collections import Counter

import pytest

from newsingest.extract import _clean, _evidence, _textness
from newsingest.extract._chrome import _has_trailer_phrase, _trailer_phrases_in
from newsingest.extract._para import Para

ALL_CHARS = "".join(map(chr, range(sys.maxunicode + 1)))


def test_a_printable_text_needs_no_blanking_and_has_no_space_but_the_plain_one() -> None:
    for char in ALL_CHARS:
        if _clean._CONTROLS.match(char) or (char.isspace() and char != " "):
            assert not char.isprintable(), hex(ord(char))


@pytest.mark.parametrize(
    "text",
    [
        "One line.\nTwo  lines.\n Three.\nFour. \n\n",
        "Windows\r\nline ends\r\n\r\nand a lone\rreturn",
        "Tab\tand no-break\xa0space\u2009here\nNUL\x00and\x0bvertical tab",
    ],
)
def test_single_spaced_lines_are_taken_as_they_are(text: str) -> None:
    blanked = _clean._CONTROLS.sub(" ", text)
    expected = [" ".join(raw.split()) for raw in blanked.splitlines() if raw.split()]
    assert [p.text for p in _clean._paragraphs(text, frozenset())] == expected


def test_casefolding_keeps_every_space_and_makes_none() -> None:
    assert [c for c in ALL_CHARS if c.casefold().count(" ") != c.count(" ")] == []


def test_word_characters_are_those_of_backslash_w() -> None:
    word = re.compile(r"\w")
    assert [c for c in ALL_CHARS if _evidence._is_word_char(c) != bool(word.match(c))] == []


@pytest.mark.parametrize(
    "text",
    [
        "Strikes hit the depot. The strike, a second strike: strikes!\nstrikes_ strikess",
        "Drama As Fugitive Escapes\nThe fugitive's escape, escapes and escapees; 2024s",
        "Class classes glass. Bus buses; the news is news",
    ],
)
def test_body_counts_stems_as_a_full_tokenisation_would(text: str) -> None:
    counted: Counter[str] = Counter()
    for word in re.findall(r"\w+", text.casefold()):
        if _evidence.is_content_word(word):
            counted[_evidence.stem(word)] += 1
    body = _evidence.Body(text.split("\n"))
    candidates = {_evidence.stem(w) for w in re.findall(r"\w+", text.casefold())}
    assert {w: body._count(w) for w in candidates} == {w: counted[w] for w in candidates}


def test_trailer_phrases_are_found_in_the_lines_that_hold_them() -> None:
    lines = ["A line about the strike.", "© 2024 Example. ALL RIGHTS RESERVED.", "[Video] Watch"]
    phrases = _trailer_phrases_in([Para(line) for line in lines])
    assert set(phrases) == {"all rights reserved", "[video]"}
    assert [_has_trailer_phrase(line, phrases) for line in lines] == [False, True, True]
    assert _trailer_phrases_in([Para(lines[0])]) == ()


CASED_AND_NOT = [
    "iPhone McDonald eBay aBcDeF ÀàÁáßÖöØøÞþ ЁёЯя ΩωΑα",
    "Hindi हिन्दी, Thai ภาษาไทย, U.S. said, a an of 2024 snake_case x_y",
    "ab.cd;ef!gh ij\tkl\nmn\xa0op   qrs",
]


@pytest.mark.parametrize("text", CASED_AND_NOT)
def test_humps_are_the_lower_upper_pairs(text: str) -> None:
    lower = re.compile(r"[a-zß-öø-ÿа-яёα-ω]")
    upper = re.compile(r"[A-ZÀ-ÖØ-ÞА-ЯЁΑ-Ω]")
    pairs = sum(1 for a, b in itertools.pairwise(text) if lower.match(a) and upper.match(b))
    assert len(_textness._HUMP.findall(text)) == pairs


@pytest.mark.parametrize("text", CASED_AND_NOT)
def test_plain_words_never_count_more_than_words(text: str) -> None:
    exact = sum(map(len, _textness._IN_WORDS.findall(text)))
    assert _textness._in_plain_words(text) <= exact
