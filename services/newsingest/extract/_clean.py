"""The cleaning step: keep the article, remove the rest, and say why.

Works on paragraphs (lines). Each paragraph is kept, split, or removed with one
of the reason codes of ``_model``; nothing is dropped silently. The kept lines
and the removed pieces, in order, give back the input character for character,
but for what normalising changes without a record: whitespace (one paragraph per
line, single spaces), the control characters blanked below (NUL and the like),
and the dashes of an AFP subhead kept as a heading (the heading span says where
it was; a removed subhead is recorded with its dashes). Passes, in order:

1. normalise (here): control characters out, one paragraph per line, AFP-style
   subheads (``- Subhead -``) made their own heading lines;
2. ``_lead``: a leading date label ("date 2021-02-26") or byline, the title repeated;
3. ``_chrome``, by pattern (``patterns/*.yaml``): trailers, link blocks, credits,
   captions (a short line ending in a credit), trailers glued to the last lines,
   then repeats: a caption's text seen again, a run of paragraphs pasted again, a
   prose paragraph seen twice;
4. ``_edges``, by evidence: fragments cut mid-sentence, headlines of other stories.

Every regex is applied to bounded slices or is free of nested quantifiers, so
the cost stays linear in the input.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from newsingest.extract._chrome import strip_chrome, strip_repeats
from newsingest.extract._edges import strip_edges
from newsingest.extract._lead import drop_title_line, strip_lead
from newsingest.extract._model import Cleaned
from newsingest.extract._para import Para
from newsingest.records import Removal, Span

_MAX_HEADING_SPACES = 12  # an AFP-style subhead is a few words
# C0 controls (but tab/newline/CR), DEL and the BOM become spaces: they carry no words.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]")
_AFP_HEADING = re.compile(r"-\s+(\S.{0,118}?)\s+-")
_GLUED_HEADING = re.compile(r"(?:^|(?<=[.!?\"”’']))\s*-\s+(\S[^\n]{0,100}?)\s+-\s+(?=[A-Z\"“‘'])")


def clean_text(text: str, *, title: str | None = None, headings: Collection[str] = ()) -> Cleaned:
    """Clean an extracted article text.

    ``title`` (when known) lets a repeated title line go; ``headings`` are lines
    the HTML marked as headings, so that they are listed in ``Cleaned.headings``.
    """
    paras = _paragraphs(text, frozenset(headings))
    published_at, authors = strip_lead(paras)
    if title:
        drop_title_line(paras, title)
    caption_keys = strip_chrome(paras)
    strip_repeats(paras, caption_keys)
    strip_edges(paras)
    return _assemble(paras, published_at, authors)


def _paragraphs(text: str, headings: frozenset[str]) -> list[Para]:
    paras: list[Para] = []
    # Printable but for its line breaks (most texts): no controls, no whitespace but the
    # plain space, so its lines need re-spacing only where a space is doubled or ends them.
    plain = text.replace("\n", " ").replace("\r", " ").isprintable()
    if not plain and _CONTROLS.search(text):
        text = _CONTROLS.sub(" ", text)
    for raw in text.splitlines():
        if not raw:
            continue
        if plain and "  " not in raw and raw[:1] != " " and raw[-1:] != " ":
            line = raw  # what " ".join(raw.split()) would give, at a fraction of the cost
        else:
            line = " ".join(raw.split())
        if not line:
            continue
        afp = _AFP_HEADING.fullmatch(line) if line[0] == "-" else None  # "- Subhead -"
        if afp and _short(afp[1]):
            paras.append(Para(afp[1], heading=True, marked=line))
            continue
        if " - " in line:
            paras.extend(_split_glued_headings(line))
            continue
        paras.append(Para(line, heading=line in headings) if headings else Para(line))
    return paras


def _split_glued_headings(line: str) -> list[Para]:
    out: list[Para] = []
    start = 0
    for match in _GLUED_HEADING.finditer(line):
        if not _short(match[1]):
            continue
        if line[start : match.start()].strip():
            out.append(Para(line[start : match.start()].strip()))
        out.append(Para(match[1], heading=True, marked=match[0].strip()))
        start = match.end()
    if line[start:].strip():
        out.append(Para(line[start:].strip()))
    return out


def _short(line: str) -> bool:
    return line.count(" ") < _MAX_HEADING_SPACES


def _assemble(paras: list[Para], published_at: str | None, authors: list[str]) -> Cleaned:
    lines: list[str] = []
    headings: list[Span] = []
    removed: list[Removal] = []
    offset = 0
    for para in paras:
        removed.extend(para.before)
        if para.reason is not None:
            removed.append(Removal(para.marked or para.text, para.reason))
        else:
            if para.heading:
                headings.append(Span(para.text, offset, offset + len(para.text)))
            lines.append(para.text)
            offset += len(para.text) + 1
        removed.extend(para.after)
    return Cleaned(
        text="\n".join(lines),
        headings=headings,
        removed=removed,
        published_at=published_at,
        authors=authors,
    )
