"""What a pattern can start with: never too little (a line is only spared patterns it cannot match)."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from newsingest.extract._patterns import PATTERNS
from newsingest.extract._starts import starts
from tests.unit.extract.support import CLEANING, SEEDS, load_yaml


@pytest.mark.parametrize(
    ("regex", "chars"),
    [
        ("comments? are closed", "c"),
        ("(?:read|see|Watch) more", "rsw"),
        ("(?:last )?(?:updated|posted)", "lup"),
        (r"\(?(?:editing|edited) by", "(e"),
        (r"\d{1,6} comments?", "0123456789"),
        ("a{0,3}b|c{2}d", "abc"),
        ("(?:a|)b", "ab"),
        ("[A-C]x", "abc"),
        (r"\[\w+\]", "["),
        ("a*+b", "ab"),
        ("(?:©|à) lire", ""),
        (r"[\w'’-]+ newsletter", "'-0123456789_abcdefghijklmnopqrstuvwxyz"),
    ],
)
def test_what_a_pattern_starts_with(regex: str, chars: str) -> None:
    assert starts(regex) == frozenset(chars)


@pytest.mark.parametrize(
    "regex",
    [r"\bword", "(?=a)a", "(?i)a", "(?P<x>a)", "^a", "a?", "x{}", r"\x41", "x(?#(|)|b"],
)
def test_what_is_not_plain_to_see_is_anything(regex: str) -> None:
    assert starts(regex) is None


def _small_regexes(count: int) -> list[str]:
    rng = random.Random(7)
    atoms = [
        "a",
        "B",
        "1",
        "à",
        r"\(",
        r"\d",
        r"\w",
        "[a-c]",
        "[^AB1]",
        "(?:a|b1)",
        "(?:B|)",
        "(?:ab|c?)",
        ".",
    ]
    quantifiers = ["", "", "?", "*", "+", "{0,2}", "{1,2}", "{2}", "*?", "++"]
    return [
        "".join(rng.choice(atoms) + rng.choice(quantifiers) for _ in range(rng.randint(1, 3)))
        + ("|" + rng.choice(atoms) if rng.random() < 0.3 else "")
        for _ in range(count)
    ]


@pytest.mark.parametrize("flags", [0, re.IGNORECASE])
def test_every_match_starts_with_one_of_the_characters(flags: int) -> None:
    strings = ["".join(s) for n in range(1, 5) for s in itertools.product("aAbB1c(_à", repeat=n)]
    for regex in _small_regexes(300):
        chars = starts(regex)
        if chars is None:
            continue
        compiled = re.compile(regex, flags)
        for string in strings:
            if string[0].isascii() and compiled.fullmatch(string):
                assert string[0].lower() in chars, (regex, string)


def _lines() -> list[str]:
    lines = []
    for case in load_yaml(CLEANING / "cases.yaml"):
        lines += case["input"].splitlines()
    for path in sorted(SEEDS.glob("*.txt")):
        lines += path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


def test_the_narrowed_chrome_pass_finds_the_same_kinds() -> None:
    for line in _lines():
        for variant in (line, line.upper(), line.lower(), f"({line})", f"1 {line}"):
            whole = PATTERNS.chrome.fullmatch(variant)
            narrowed = PATTERNS.chrome_by_start.fullmatch(variant)
            assert (whole and whole.lastgroup) == (narrowed and narrowed.lastgroup), variant
