"""Does a body read as text at all? Binary junk decoded as text is not an article.

Random bytes decoded as latin-1, windows-1252, KOI8-R or UTF-8 (with replacement)
give a ``str`` that cleaning would keep whole. Three measures, over the characters
that are not whitespace, tell it from writing in any script:

- *unreadable*: C0/C1 controls, U+FFFD, private-use and lone surrogate code
  points. Real text has next to none (none in any text of the extraction
  benchmark); decoded junk 12-60 % (a tenth of all bytes are C0 controls).
- *in words*: characters standing in runs of three or more word characters
  (letters of any script with their combining marks, digits). Real text: 0.74
  at the lowest in the benchmark's texts, CJK and Thai near 1; junk with its
  controls blanked at most 0.45 (letters come one or two at a time between
  symbols); a bare table of figures about 0.3.
- *case humps*: a lower-case letter followed by a capital ("eP", "ZgoTk"). Junk
  whose controls were deleted rather than blanked has long letter runs (up to
  0.63 in words), but in random case: 6-10 humps per 100 characters. Real text
  seldom has one ("iPhone", "McDonald"); 1.7 at most in the benchmark (a list
  of short links, "amzn.to/2hWHtYm").

Every junk sample tried (UTF-8 and 6 single-byte decodings, 20 seeds, controls
blanked or deleted; Shift_JIS and GB18030 as decoded, replacement characters and
all) fails one measure or more; no benchmark text fails any. All
three are counted by regular expressions on at most 900 characters (three
windows of a long text: start, middle, end): about 50 µs whatever the length.
"""

from __future__ import annotations

import re

_MAX_UNREADABLE = 0.05
_MIN_UNREADABLE = 8  # a few stray NULs in a short text do not make it junk
_MIN_IN_WORDS = 0.5
_MAX_HUMPS = 0.04
_MIN_CHARS_FOR_WORDS = 200  # a line or two says little: "A 2-1 win." is a fine text
_WINDOW = 300  # a longer text is judged on 300 characters at its start, middle and end

_UNREADABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff\ud800-\udfff]")
# Python's \w leaves out combining marks (Mn/Mc): without them a Hindi, Bengali, Thai,
# Burmese or vowelled Arabic word falls apart into single letters. The ranges add the
# marks of the scripts that need them (whole blocks where marks are many), and ZWNJ/ZWJ,
# which join the letters of Persian and Indic words.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    "\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff"
    "\u1dc0-\u1dff\u200c\u200d\u20d0-\u20ff\u3099\u309a\ufe20-\ufe2f"
)
_IN_WORDS = re.compile(rf"[\w{_MARKS}]{{3,}}")
# Latin (with Latin-1), Cyrillic and Greek: the cased scripts single-byte junk comes in.
# A lower-case letter then a capital, found from the capital: capitals are few, so the
# search skips ahead to them instead of trying at every lower-case letter.
_HUMP = re.compile(r"[A-ZÀ-ÖØ-ÞА-ЯЁΑ-Ω](?<=[a-zß-öø-ÿа-яёα-ω].)")


def not_text_reason(text: str, *, markup: bool = False) -> str | None:
    """Why ``text`` is not writing (controls, replacement characters, no words), or None.

    ``markup``: an HTML body, judged on controls and replacement characters only
    (markup has none either; its words are tags).
    """
    sample = _windows(text, _WINDOW)
    chars = _chars(sample)
    unreadable = len(_UNREADABLE.findall(sample))
    if unreadable > max(_MIN_UNREADABLE, _MAX_UNREADABLE * chars):
        return f"{unreadable / chars:.0%} of its characters are controls or replacement characters"
    if markup or chars < _MIN_CHARS_FOR_WORDS:
        return None
    if _in_plain_words(sample) / chars < _MIN_IN_WORDS:  # else the exact share is as high
        in_words = sum(map(len, _IN_WORDS.findall(sample))) / chars
        if in_words < _MIN_IN_WORDS:
            return f"only {in_words:.0%} of its characters stand in words"
    humps = len(_HUMP.findall(sample)) / chars
    if humps > _MAX_HUMPS:
        return f"its letters are in random case ({humps:.0%} lower-upper pairs)"
    return None


def _in_plain_words(text: str) -> int:
    """A lower bound of what ``_IN_WORDS`` counts, at half the cost.

    The letters of the space-separated tokens of three letters or more, all letters
    ("said," and "U.S." do not count): most text passes the threshold on these alone.
    """
    lengths = list(map(len, filter(str.isalpha, text.split())))
    return sum(lengths) - lengths.count(1) - 2 * lengths.count(2)


def _chars(text: str) -> int:
    """Characters other than the common whitespace (str.split would cost more than the rest)."""
    return len(text) - sum(map(text.count, " \n\r\t"))


def _windows(text: str, size: int) -> str:
    if len(text) <= 3 * size:
        return text
    middle = (len(text) - size) // 2
    return "\n".join((text[:size], text[middle : middle + size], text[len(text) - size :]))
