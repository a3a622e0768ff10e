"""The cleaning step: keep the article, remove the rest, and say why.

Works on paragraphs (lines). Each paragraph is kept, split, or removed with one
of the reason codes of ``_model``; nothing is dropped silently, so the kept
text plus the removed pieces always hold every word of the input. Passes, in
order:

1. normalise: control characters out, one paragraph per line, AFP-style
   subheads (``- Subhead -``) made their own heading lines;
2. leading metadata: a date label ("date 2021-02-26") or a byline;
3. chrome by pattern (``patterns/*.yaml``): trailers, link blocks, credits,
   captions (a short line ending in a credit), trailers glued to the last lines;
4. repeats: a paragraph seen before, a caption's text seen again;
5. edges, by evidence: fragments cut mid-sentence, headlines of other stories.

Every regex is applied to bounded slices or is free of nested quantifiers, so
the cost stays linear in the input.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from newsingest.extract import _model as reason
from newsingest.extract._evidence import (
    Body,
    ends_like_sentence,
    headline_shape,
    is_title_case,
    starts_mid_text,
)
from newsingest.extract._model import Cleaned
from newsingest.extract._patterns import PATTERNS
from newsingest.records import Removal, Span

_MAX_CHROME_CHARS = 600  # longer paragraphs are never whole-line chrome
_MAX_PHRASE_LINE = 300  # a line holding "All rights reserved" is chrome when short
_TAIL_WINDOW = 400  # glued trailers are looked for in this many last characters
_MAX_TAIL_SHARE = 2  # a tail zone is at most half as long as the article before it
_LEAD_LINES = 3  # metadata prefixes are looked for in the first lines only
_EDGE_LINES = 4  # at most this many headlines/fragments are peeled off each edge
_MAX_CAPTION_WORDS = 40
# Only prose repeats (8+ words, ending a sentence) are dirt: lists and tables repeat
# short lines on purpose ("Eat every 2-3 hours" under each day of a meal plan).
_MIN_DUPLICATE_SPACES = 7
_PROSE_END = frozenset('.!?"”’')

# C0 controls (but tab/newline/CR), DEL and the BOM become spaces: they carry no words.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]")
_AFP_HEADING = re.compile(r"-\s+(\S.{0,118}?)\s+-")
_GLUED_HEADING = re.compile(r"(?:^|(?<=[.!?\"”’']))\s*-\s+(\S[^\n]{0,100}?)\s+-\s+(?=[A-Z\"“‘'])")
_SENTENCE_BREAK = re.compile(r"[.!?…][\"”’')]?\s+(?=\S)")
_TRAILING_PARENS = re.compile(r"\s*\([^()]{1,80}\)")

_ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_DAY_MONTH_YEAR = r"\d{1,2}(?:st|nd|rd|th)?\.? [^\W\d]{3,9}\.?,? \d{4}"
_MONTH_DAY_YEAR = r"[^\W\d]{3,9}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}"
_TIME = r"(?:,? (?:at )?\d{1,2}[:.]\d{2}(?: ?[ap]\.?m\.?)?(?: [A-Z]{2,4})?)?"
_DATE_PREFIX = re.compile(
    rf"(?:(?:{PATTERNS.metadata.pattern})\s*[:|–—-]?\s*)?"
    rf"(?P<date>{_ISO_DATE}|{_DAY_MONTH_YEAR}|{_MONTH_DAY_YEAR}){_TIME}(?:\s*[|–—-]\s*|\s+|$)",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Para:
    text: str
    heading: bool = False
    reason: str | None = None  # set when the whole paragraph is removed
    opens_tail: bool = False  # a trailer after which only chrome may follow
    before: list[Removal] = field(default_factory=list)  # pieces split off its start
    after: list[Removal] = field(default_factory=list)  # pieces split off its end

    @property
    def kept(self) -> bool:
        return self.reason is None


def clean_text(text: str, *, title: str | None = None, headings: Collection[str] = ()) -> Cleaned:
    """Clean an extracted article text.

    ``title`` (when known) lets a repeated title line go; ``headings`` are lines
    the HTML marked as headings, so that they are listed in ``Cleaned.headings``.
    """
    paras = _paragraphs(text, frozenset(headings))
    published_at, authors = _strip_lead(paras)
    if title:
        _drop_title_line(paras, title)
    caption_keys = _strip_chrome(paras)
    _strip_repeats(paras, caption_keys)
    _strip_edges(paras)
    return _assemble(paras, published_at, authors)


# --- 1. normalise --------------------------------------------------------------


def _paragraphs(text: str, headings: frozenset[str]) -> list[_Para]:
    paras: list[_Para] = []
    if _CONTROLS.search(text):
        text = _CONTROLS.sub(" ", text)
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        afp = _AFP_HEADING.fullmatch(line)
        if afp and _short(afp[1]):
            paras.append(_Para(afp[1], heading=True))
            continue
        if " - " in line:
            paras.extend(_split_glued_headings(line))
            continue
        paras.append(_Para(line, heading=line in headings))
    return paras


def _split_glued_headings(line: str) -> list[_Para]:
    out: list[_Para] = []
    start = 0
    for match in _GLUED_HEADING.finditer(line):
        if not _short(match[1]):
            continue
        if line[start : match.start()].strip():
            out.append(_Para(line[start : match.start()].strip()))
        out.append(_Para(match[1], heading=True))
        start = match.end()
    if line[start:].strip():
        out.append(_Para(line[start:].strip()))
    return out


def _short(line: str) -> bool:
    return line.count(" ") < 12


# --- 2. leading metadata -------------------------------------------------------


def _strip_lead(paras: list[_Para]) -> tuple[str | None, list[str]]:
    published_at: str | None = None
    authors: list[str] = []
    for para in paras[:_LEAD_LINES]:
        if not para.kept or para.heading:
            continue
        match = _DATE_PREFIX.match(para.text) if len(para.text) > 9 else None
        found = _parse_date(match["date"]) if match else None
        if match and found:
            published_at = published_at or found
            rest = para.text[match.end() :].strip()
            if rest:
                para.before.append(Removal(match[0].strip(), reason.METADATA_PREFIX))
                para.text = rest
                break
            para.reason = reason.METADATA_PREFIX
            continue
        if len(para.text) <= 200 and PATTERNS.byline.fullmatch(para.text):
            para.reason = reason.METADATA_PREFIX
            authors = _byline_names(para.text)
            continue
        break
    return published_at, authors


def _parse_date(found: str) -> str | None:
    try:
        if found[:4].isdigit():
            return datetime.fromisoformat(found).isoformat() if len(found) > 10 else found
        parts = found.replace(",", " ").replace(".", " ").split()
        if parts[0][:1].isdigit():
            day, month, year = parts[0], parts[1], parts[2]
        else:
            month, day, year = parts[0], parts[1], parts[2]
        number = PATTERNS.months.get(month.casefold()) or PATTERNS.months.get(month.casefold()[:3])
        if number is None:
            return None
        return date(int(year), number, int(day.rstrip("stndrh"))).isoformat()
    except (ValueError, IndexError):
        return None


def _byline_names(line: str) -> list[str]:
    names = line.split(" ", 1)[1] if " " in line else ""
    names = re.split(r"\s*[|–—]\s*|\s+-\s+", names, maxsplit=1)[0]
    return [n.strip(" ,") for n in PATTERNS.byline_names.split(names) if n.strip(" ,")]


_TITLE_PARTS = re.compile(r"\s+[|–—-]\s+")


def _drop_title_line(paras: list[_Para], title: str) -> None:
    """The title repeated as a leading line, also without the site name ("Opinion | ...")."""
    full = " ".join(title.split()).casefold()
    wanted = {full} | {p for p in _TITLE_PARTS.split(full) if p.count(" ") >= 2}
    for para in paras[:_LEAD_LINES]:
        if para.kept and para.text.casefold() in wanted:
            para.reason = reason.DUPLICATE
            return


# --- 3. chrome by pattern ------------------------------------------------------


def _strip_chrome(paras: list[_Para]) -> set[str]:
    """Remove trailers, link blocks, credits and captions; return the captions' texts."""
    caption_keys: set[str] = set()
    in_link_block = False
    for para in paras:
        if not para.kept:
            continue
        line = para.text
        if in_link_block:
            if not ends_like_sentence(line) and line.count(" ") < 25:
                para.reason = reason.TRAILER
                continue
            in_link_block = False
        if len(line) > _MAX_CHROME_CHARS:
            continue
        chrome = PATTERNS.chrome.fullmatch(line)
        kind = chrome.lastgroup if chrome else None
        if kind is None and len(line) <= _MAX_PHRASE_LINE and _has_trailer_phrase(line):
            kind = "trailer"
        if kind in ("trailer", "trailer_block"):
            para.reason = reason.TRAILER
            para.opens_tail = True
            in_link_block = kind == "trailer_block"
        elif kind == "inline":
            para.reason = reason.TRAILER
        elif kind == "credit":
            para.reason = reason.CREDIT
        elif not para.heading and _is_shouted_headline(line):
            para.reason = reason.UNRELATED_HEADLINE
        elif kind == "caption":
            para.reason = reason.CAPTION
            caption_keys.add(_key(line))
        else:
            _split_credit(para, caption_keys)
    _strip_glued_trailers(paras)
    _strip_tail_zone(paras)
    return caption_keys


def _has_trailer_phrase(line: str) -> bool:
    return PATTERNS.trailer_phrases.search(line.casefold()) is not None


def _is_shouted_headline(line: str) -> bool:
    """An all-capitals line of 5+ words that does not end a sentence: a link to another story.

    Sites put such links between paragraphs ("SEAN SPICER ELIMINATED FROM ..."); the
    article's own subheads, when capitalised, are short.
    """
    return line.isupper() and line.count(" ") >= 4 and (line[-1].isalpha() or line[-1] in "!'’")


def _split_credit(para: _Para, caption_keys: set[str]) -> None:
    """A line ending in a credit is a caption when short, else an article line with a credit."""
    line = para.text
    head, credit = "", ""
    if line.endswith(")"):
        parens = _TRAILING_PARENS.match(line, max(0, line.rfind("(") - 1))
        if parens and parens.end() == len(line) and PATTERNS.credit.fullmatch(parens[0].strip()):
            head, credit = line[: parens.start()].rstrip(), parens[0].strip()
    if not credit:
        breaks = list(_SENTENCE_BREAK.finditer(line, max(0, len(line) - 160)))
        if breaks and PATTERNS.credit.fullmatch(line, breaks[-1].end()):
            head, credit = line[: breaks[-1].end()].rstrip(), line[breaks[-1].end() :]
    if not credit:
        return
    if head.count(" ") < _MAX_CAPTION_WORDS:
        para.reason = reason.CAPTION
        caption_keys.add(_key(head))
    else:
        para.text = head
        para.after.insert(0, Removal(credit, reason.CREDIT))


def _strip_tail_zone(paras: list[_Para]) -> None:
    """After the first trailer that only chrome follows, the rest goes too.

    A newsletter box or a "Related" label is followed by lines no pattern knows
    (the box's prompts, the linked headlines); as long as no prose paragraph
    comes after it, none of that is the article.
    """
    start: int | None = None
    for index in range(len(paras) - 1, -1, -1):
        para = paras[index]
        if para.kept and _is_prose(para.text):
            break
        if para.opens_tail:
            start = index
    if start is None:
        return
    zone = [p for p in paras[start + 1 :] if p.kept]
    zone_chars = sum(len(p.text) for p in zone)
    article_chars = sum(len(p.text) for p in paras[:start] if p.kept)
    if zone_chars * _MAX_TAIL_SHARE > article_chars:
        return  # too much to be a box at the end: a list that belongs to the article
    for para in zone:
        para.reason = reason.TRAILER


def _strip_glued_trailers(paras: list[_Para]) -> None:
    """Trailers glued to the end of one of the last paragraphs ("... he said. Reporting by ...")."""
    kept = [p for p in paras if p.kept and not p.heading][-3:]
    for para in kept:
        line = para.text
        window = max(0, len(line) - _TAIL_WINDOW)
        for brk in _SENTENCE_BREAK.finditer(line, window):
            if PATTERNS.trailer_tail.fullmatch(line, brk.end()):
                para.text = line[: brk.end()].rstrip()
                para.after.insert(0, Removal(line[brk.end() :], reason.TRAILER))
                break


# --- 4. repeats ----------------------------------------------------------------


def _key(line: str) -> str:
    return line.casefold()


def _is_prose(line: str) -> bool:
    """A sentence-like paragraph: long enough, ends a sentence, words rather than figures."""
    if line[-1] not in _PROSE_END or line.startswith(("- ", "• ", "* ")):
        return False
    words = line.split(" ")
    if len(words) <= _MIN_DUPLICATE_SPACES:
        return False
    figures = sum(1 for w in words if w[:1].isdigit())
    return figures * 5 < len(words)


def _strip_repeats(paras: list[_Para], caption_keys: set[str]) -> None:
    """A caption's text seen again is a caption; a prose paragraph seen twice, a repeat.

    A paragraph found three or more times is a template the article repeats on purpose
    (the same question put to each interviewee): it stays.
    """
    counts = Counter(_key(p.text) for p in paras if p.kept)
    seen: set[str] = set()
    for para in paras:
        if not para.kept:
            continue
        key = _key(para.text)
        if key in caption_keys:
            para.reason = reason.CAPTION
        elif key in seen and counts[key] == 2 and _is_prose(para.text):
            para.reason = reason.DUPLICATE
        seen.add(key)


# --- 5. edges, by evidence -----------------------------------------------------


def _strip_edges(paras: list[_Para]) -> None:
    body: Body | None = None

    def evidence() -> Body:
        nonlocal body
        if body is None:
            body = Body(p.text for p in paras if p.kept)
        return body

    for _ in range(_EDGE_LINES):
        kept = [p for p in paras if p.kept]
        if len(kept) < 2:
            return
        last = kept[-1]
        if last.heading:
            last.reason = reason.TRAILER  # a heading with nothing under it
        elif starts_mid_text(last.text) and not ends_like_sentence(last.text):
            last.reason = reason.FRAGMENT
        elif headline_shape(last.text) and evidence().is_unrelated(last.text):
            last.reason = reason.UNRELATED_HEADLINE
        elif not _split_glued_tail(last, evidence):
            break
    for _ in range(_EDGE_LINES):
        kept = [p for p in paras if p.kept]
        if len(kept) < 2:
            return
        first = kept[0]
        if first.heading:
            break
        if starts_mid_text(first.text):
            first.reason = reason.FRAGMENT
        elif headline_shape(first.text) and evidence().is_unrelated(first.text):
            first.reason = reason.UNRELATED_HEADLINE
        elif not _split_glued_head(first, evidence):
            break


def _split_glued_tail(para: _Para, evidence: Callable[[], Body]) -> bool:
    """A headline glued after the last sentence of the last paragraph."""
    line = para.text
    if ends_like_sentence(line) and not line.endswith("?"):
        return False
    breaks = list(_SENTENCE_BREAK.finditer(line, max(0, len(line) - 250)))
    if not breaks:
        return False
    tail = line[breaks[-1].end() :]
    if not headline_shape(tail) or not is_title_case(tail.split(" ")):
        return False
    if not evidence().is_unrelated(tail):
        return False
    para.text = line[: breaks[-1].end()].rstrip()
    para.after.insert(0, Removal(tail, reason.UNRELATED_HEADLINE))
    return True


def _split_glued_head(para: _Para, evidence: Callable[[], Body]) -> bool:
    """A title-cased headline glued before the first sentence of the first paragraph."""
    words = para.text.split(" ", 30)
    minor = PATTERNS.minor_words
    cut = next(
        (i for i, w in enumerate(words) if w[:1].islower() and w.casefold() not in minor),
        None,
    )
    if cut is None or cut < 7:
        return False
    head = " ".join(words[: cut - 1])
    if "," in head or not headline_shape(head) or not is_title_case(words[: cut - 1]):
        return False  # names listed with commas open many a first sentence
    if not evidence().is_unrelated(head, strict=True):
        return False
    para.before.append(Removal(head, reason.UNRELATED_HEADLINE))
    para.text = para.text[len(head) :].lstrip()
    return True


# --- assembly ------------------------------------------------------------------


def _assemble(paras: list[_Para], published_at: str | None, authors: list[str]) -> Cleaned:
    lines: list[str] = []
    headings: list[Span] = []
    removed: list[Removal] = []
    offset = 0
    for para in paras:
        removed.extend(para.before)
        if para.reason is not None:
            removed.append(Removal(para.text, para.reason))
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
