"""Sentence spans of cleaned text (one paragraph per line, headings on their own line)."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator

# A sentence ends at . ! ? (and closing quotes) followed by space and a capital, digit or
# opening quote. "U.S. forces" does not end one (lower case follows). Lines always end one.
# Matches start only at the first mark of a run, possessively: linear on "!!!!...".
# The first mark comes before the look-behind, so that the regex engine can skip ahead to
# the marks instead of trying every position (4x faster); one pattern per mark, so that it
# is a literal, which the engine finds faster still (3x). As a run of marks has one start,
# no two patterns' matches overlap.
_BOUNDARIES = tuple(
    (mark, re.compile(rf"\{mark}(?<![.!?][.!?])[.!?]*+[\"”’')\]]*+[ \t]++(?=[\"“‘(\[]?[A-Z0-9])"))
    for mark in ".!?"
)
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
    # One regex pass over the whole text (a boundary never spans a line end), not one per line.
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _boundaries(text):
        stop = m.start()
        if text[stop] == "." and _abbreviation(text, stop, m.end()):
            continue
        _add_lines(text, pos, stop + len(m.group().rstrip()), spans)
        pos = m.end()
    _add_lines(text, pos, len(text), spans)
    return spans


def _boundaries(text: str) -> Iterator[re.Match[str]]:
    """The sentence ends of ``text`` in order (matches of the patterns of the marks it has)."""
    found = [pattern.finditer(text) for mark, pattern in _BOUNDARIES if mark in text]
    return found[0] if len(found) == 1 else heapq.merge(*found, key=lambda m: m.start())


def _abbreviation(text: str, stop: int, next_start: int) -> bool:
    """Whether the full stop at ``stop`` ends an abbreviation (string operations only: this
    runs at every sentence end)."""
    lo = max(0, stop - 6)
    line_end = text.rfind("\n", lo, stop)  # the word may not reach back across a line end
    start = line_end + 1 if line_end != -1 else lo
    space = text.rfind(" ", start, stop)
    if space == -1 and line_end == -1 and stop > 5:
        return False  # no space nor line start in the six characters before: a long word
    word = text[space + 1 if space != -1 else start : stop]
    if not 2 <= len(word) <= 5 or not word.isalpha():
        return False
    key = word.lower()
    return key in _TITLES or (key in _MONTHS and text[next_start : next_start + 1].isdigit())


def _add_lines(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Line ends inside the piece end sentences too."""
    line_end = text.find("\n", start, end)
    while line_end != -1:
        _add(text, start, line_end, spans)
        start = line_end + 1
        line_end = text.find("\n", start, end)
    _add(text, start, end, spans)


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    if 0 < end - start <= MAX_SENTENCE and not (text[start].isspace() or text[end - 1].isspace()):
        spans.append((start, end))  # the common case, without copying the piece
        return
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
