"""Sentence spans of cleaned text (one paragraph per line, headings on their own line)."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (and closing quotes) followed by space and a capital, digit or
# opening quote. "U.S. forces" does not end one (lower case follows). Lines always end one.
_BOUNDARY = re.compile(r"[.!?]+[\"”’')\]]*[ \t]+(?=[\"“‘(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty sentence, in order; whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        pos = line_start
        for m in _BOUNDARY.finditer(line):
            _add(text, pos, line_start + m.start() + len(m.group().rstrip()), spans)
            pos = line_start + m.end()
        _add(text, pos, line_start + len(line), spans)
        line_start += len(line) + 1
    return spans


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        start += len(piece) - len(piece.lstrip())
        spans.append((start, start + len(stripped)))
