"""Sentence spans of cleaned text (one paragraph per line, headings on their own line)."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (and closing quotes) followed by space and a capital, digit or
# opening quote; or at a line break. "U.S. forces" does not end one (lower case follows).
_BOUNDARY = re.compile(r"[.!?]+[\"”’')\]]*[ \t]+(?=[\"“‘(\[]?[A-Z0-9])|\n+")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty sentence, in order; whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        end = m.start() if m.group()[0] == "\n" else m.start() + len(m.group().rstrip())
        _add(text, pos, end, spans)
        pos = m.end()
    _add(text, pos, len(text), spans)
    return spans


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
