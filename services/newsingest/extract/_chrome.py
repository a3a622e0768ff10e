"""Chrome found by pattern (``patterns/*.yaml``): trailers, link blocks, credits, captions."""

from __future__ import annotations

import re
from collections import Counter

from newsingest.extract import _model as reason
from newsingest.extract._evidence import ends_like_sentence
from newsingest.extract._para import Para
from newsingest.extract._patterns import PATTERNS
from newsingest.records import Removal

_MAX_CHROME_CHARS = 600  # longer paragraphs are never whole-line chrome
_MAX_PHRASE_LINE = 300  # a line holding "All rights reserved" is chrome when short
_MAX_LINK_WORDS = 25  # a line of a link block is a headline, not a paragraph
_TAIL_WINDOW = 400  # glued trailers are looked for in this many last characters
_CREDIT_WINDOW = 160  # and credits in this many
_MAX_TAIL_SHARE = 2  # a tail zone is at most half as long as the article before it
_MAX_CAPTION_WORDS = 40
# Only prose repeats (8+ words, ending a sentence) are dirt: lists and tables repeat
# short lines on purpose ("Eat every 2-3 hours" under each day of a meal plan).
_MIN_PROSE_SPACES = 7
_PROSE_END = frozenset('.!?"”’')
SENTENCE_BREAK = re.compile(r"[.!?…][\"”’')]?\s+(?=\S)")
_TRAILING_PARENS = re.compile(r"\s*\([^()]{1,80}\)")


def strip_chrome(paras: list[Para]) -> set[str]:
    """Remove trailers, link blocks, credits and captions; return the captions' texts."""
    caption_keys: set[str] = set()
    phrases = _trailer_phrases_in(paras)
    chrome_kind = PATTERNS.chrome_by_start.fullmatch
    in_link_block = False
    for para in paras:
        if para.reason is not None:
            continue
        line = para.text
        if in_link_block:
            if not ends_like_sentence(line) and line.count(" ") < _MAX_LINK_WORDS:
                para.reason = reason.TRAILER
                continue
            in_link_block = False
        if len(line) > _MAX_CHROME_CHARS:
            continue
        chrome = chrome_kind(line)
        kind = chrome.lastgroup if chrome else None
        if (
            kind is None
            and phrases
            and len(line) <= _MAX_PHRASE_LINE
            and _has_trailer_phrase(line, phrases)
        ):
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


def _trailer_phrases_in(paras: list[Para]) -> tuple[str, ...]:
    """The trailer phrases found in the kept lines short enough to be searched (most have none).

    Casefolding them (line by line: ASCII lines take casefold's fast path) and a few
    substring tests on them all cost far less than searching every line for every
    phrase; lines are then searched for the phrases found only.
    """
    folded = "\n".join(
        [p.text.casefold() for p in paras if p.kept and len(p.text) <= _MAX_PHRASE_LINE]
    )
    return tuple(
        phrase
        for start, group in PATTERNS.trailer_phrases.items()
        if start in folded
        for phrase in group
        if phrase in folded
    )


def _has_trailer_phrase(line: str, phrases: tuple[str, ...]) -> bool:
    folded = line.casefold()
    return any(phrase in folded for phrase in phrases)


def _is_shouted_headline(line: str) -> bool:
    """An all-capitals line of 5+ words that does not end a sentence: a link to another story.

    Sites put such links between paragraphs ("SEAN SPICER ELIMINATED FROM ..."); the
    article's own subheads, when capitalised, are short.
    """
    return line.isupper() and line.count(" ") >= 4 and (line[-1].isalpha() or line[-1] in "!'’")


def _last_break_end(line: str, start: int) -> int | None:
    """Where the text after the last sentence break from ``start`` on begins, if any."""
    # The last piece of a split is that text: cheaper than going through every match.
    pieces = SENTENCE_BREAK.split(line[start:] if start else line)
    return len(line) - len(pieces[-1]) if len(pieces) > 1 else None


def _split_credit(para: Para, caption_keys: set[str]) -> None:
    """A line ending in a credit is a caption when short, else an article line with a credit."""
    line = para.text
    head, credit = "", ""
    if line.endswith(")"):
        parens = _TRAILING_PARENS.match(line, max(0, line.rfind("(") - 1))
        if parens and parens.end() == len(line) and PATTERNS.credit.fullmatch(parens[0].strip()):
            head, credit = line[: parens.start()].rstrip(), parens[0].strip()
    if not credit:
        end = _last_break_end(line, max(0, len(line) - _CREDIT_WINDOW))
        if end is not None and PATTERNS.credit.fullmatch(line, end):
            head, credit = line[:end].rstrip(), line[end:]
    if not credit:
        return
    if head.count(" ") < _MAX_CAPTION_WORDS:
        para.reason = reason.CAPTION
        caption_keys.add(_key(head))
    else:
        para.text = head
        para.after.insert(0, Removal(credit, reason.CREDIT))


def _strip_tail_zone(paras: list[Para]) -> None:
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
    if not zone:
        return  # the trailer was the last line (most tails): nothing more to weigh
    zone_chars = sum(len(p.text) for p in zone)
    article_chars = sum(len(p.text) for p in paras[:start] if p.kept)
    if zone_chars * _MAX_TAIL_SHARE > article_chars:
        return  # too much to be a box at the end: a list that belongs to the article
    for para in zone:
        para.reason = reason.TRAILER


def _strip_glued_trailers(paras: list[Para]) -> None:
    """Trailers glued to the end of one of the last paragraphs ("... he said. Reporting by ...")."""
    last: list[Para] = []
    for para in reversed(paras):
        if len(last) == 3:
            break
        if para.kept and not para.heading:
            last.insert(0, para)
    for para in last:
        line = para.text
        window = max(0, len(line) - _TAIL_WINDOW)
        for brk in SENTENCE_BREAK.finditer(line, window):
            if PATTERNS.trailer_tail.fullmatch(line, brk.end()):
                para.text = line[: brk.end()].rstrip()
                para.after.insert(0, Removal(line[brk.end() :], reason.TRAILER))
                break


def _key(line: str) -> str:
    return line.casefold()


def _is_prose(line: str) -> bool:
    """A sentence-like paragraph: long enough, ends a sentence, words rather than figures."""
    if line[-1] not in _PROSE_END or line.startswith(("- ", "• ", "* ")):
        return False
    words = line.split(" ")
    if len(words) <= _MIN_PROSE_SPACES:
        return False
    figures = sum(1 for w in words if w[:1].isdigit())
    return figures * 5 < len(words)


def strip_repeats(paras: list[Para], caption_keys: set[str]) -> None:
    """Captions seen again, copies of a run of paragraphs, prose paragraphs seen twice.

    A paragraph found three or more times on its own is a template the article
    repeats on purpose (the same question put to each interviewee): it stays. The
    same paragraphs again *in the same order* are not a template but the article
    (or a part of it) pasted again: those copies go, however many there are.
    """
    # Casefolding keeps every space: a line can have the key of another line, or of a
    # caption, only if it has as many spaces, which costs less to count than to casefold.
    if caption_keys:
        caption_spaces = {key.count(" ") for key in caption_keys}
        for para in paras:
            if (
                para.kept
                and para.text.count(" ") in caption_spaces
                and _key(para.text) in caption_keys
            ):
                para.reason = reason.CAPTION
    live = [para for para in paras if para.reason is None]
    if len({para.text.count(" ") for para in live}) == len(live):
        return  # no two lines with as many spaces (most texts of long paragraphs)
    keys = [_key(para.text) for para in live]
    if len(set(keys)) == len(keys):
        return  # nothing repeats (most texts)
    _strip_copied_runs(live, keys)
    counts = Counter(key for para, key in zip(live, keys, strict=True) if para.kept)
    seen: set[str] = set()
    for para, key in zip(live, keys, strict=True):
        if not para.kept:
            continue
        if key in seen and counts[key] == 2 and _is_prose(para.text):
            para.reason = reason.DUPLICATE
        seen.add(key)


def _strip_copied_runs(paras: list[Para], keys: list[str]) -> None:
    """Mark as duplicates the runs of paragraphs that repeat, in order, paragraphs before them.

    A run is a copy when it holds two prose paragraphs or more, or one that follows
    its own previous copy directly ("A B A B", "A A"): a template line has other
    text between its repeats; lists and tables (no prose) repeat short lines on
    purpose. Each paragraph is compared with the one after the previous
    occurrence of the run's first line, and the scan jumps past every run it
    measured, so the cost stays linear.
    """
    last_seen: dict[str, int] = {}
    index = 0
    while index < len(paras):
        previous = last_seen.get(keys[index])
        length = 1
        if previous is not None:
            while (
                index + length < len(paras)
                and previous + length < index
                and keys[previous + length] == keys[index + length]
            ):
                length += 1
            run = paras[index : index + length]
            prose = sum(1 for p in run if _is_prose(p.text))
            if prose >= 2 or (prose and previous + length == index):
                for para in run:
                    para.reason = reason.DUPLICATE
        for offset in range(length):
            last_seen[keys[index + offset]] = index + offset
        index += length
