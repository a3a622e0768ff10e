"""Sentence spans of cleaned text (one paragraph per line, headings on their own line)."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (and closing quotes) followed by space and a capital, digit or
# opening quote. "U.S. forces" does not end one (lower case follows). Lines always end one.
# Matches start only at the first mark of a run, possessively: linear on "!!!!...".
# The first mark comes before the look-behind, so that the regex engine can skip ahead to
# the marks instead of trying every position (4x faster).
_BOUNDARY = re.compile(r"[.!?](?<![.!?][.!?])[.!?]*+[\"”’')\]]*+[ \t]++(?=[\"“‘(\[]?[A-Z0-9])")
# Longer "sentences" (run-on text, lists without full stops) are cut at a space: the rules
# look at words near each other, and this bounds the work per sentence.
MAX_SENTENCE = 600
# A full stop after these is an abbreviation: "Maj. Gen. Qasem Soleimani"; after a month,
# before a day: "since Oct. 17".
# fmt: off
_TITLES = frozenset([
    "mr", "mrs", "ms", "dr", "gen", "maj", "col", "lt", "sgt", "capt", "brig", "adm", "cpl", "pvt",
    "rep", "sen", "gov", "prof", "rev", "st",
])
_MONTHS = frozenset(["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
                     "dec"])
# fmt: on


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty sentence, in order; whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        pos = line_start
        for m in _BOUNDARY.finditer(line):
            if line[m.start()] == "." and _abbreviation(line, m.start(), m.end()):
                continue
            _add(text, pos, line_start + m.start() + len(m.group().rstrip()), spans)
            pos = line_start + m.end()
        _add(text, pos, line_start + len(line), spans)
        line_start += len(line) + 1
    return spans


def _abbreviation(line: str, stop: int, next_start: int) -> bool:
    """Whether the full stop at ``stop`` ends an abbreviation (string operations only: this
    runs at every sentence end)."""
    space = line.rfind(" ", max(0, stop - 6), stop)
    if space == -1 and stop > 5:
        return False
    word = line[space + 1 : stop]
    if not 2 <= len(word) <= 5 or not word.isalpha():
        return False
    key = word.lower()
    return key in _TITLES or (key in _MONTHS and line[next_start : next_start + 1].isdigit())


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    start += len(piece) - len(piece.lstrip())
    end = start + len(stripped)
    while end - start > MAX_SENTENCE:
        cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
        cut = cut if cut != -1 else start + MAX_SENTENCE
        spans.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        spans.append((start, end))
