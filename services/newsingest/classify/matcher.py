"""One pass over the text finds every known term: a trie compiled into one regex.

Thousands of names and cue words become a single alternation shaped like a
trie, so the regex engine tries at most a few branches at each word start
instead of every term. It runs on a *folded* copy of the text that has the same
length (lower case, one kind of apostrophe and hyphen), so match offsets index
the original text directly.

A term starts at a word start. A look-behind in front of the trie would say
so, but the regex engine then tries the pattern at every character. The scan
opens instead with the character before the word, out of a class of every
non-word character, and the engine skips ahead to those. ``re.split`` hands the
matches over as plain strings (no match objects); their offsets are summed up.

In a term, a space or a hyphen matches either in the text ("al-Nujaba",
"al Nujaba"), and an apostrophe is optional ("Kata'ib", "Kataib").

Arabic writes the particles و ف (and, so), ب ل ك (with, for, as) and the
article ال onto the next word, and ل + ال becomes لل: "لكتائب حزب الله" is
"for Kataib Hezbollah". :class:`ProcliticMatcher` finds Arabic names behind
those prefixes, so that the shorter "حزب الله" inside is never read alone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

P = TypeVar("P")

# Characters folded to one form each; every replacement keeps the length.
_FOLD_PAIRS = (
    ("\u2019", "'"),
    ("\u2018", "'"),
    ("\u02bc", "'"),
    ("`", "'"),
    ("\u00b4", "'"),
    ("\u2010", "-"),
    ("\u2011", "-"),
    ("\u2012", "-"),
    ("\u2013", "-"),
    ("\u2014", "-"),
    ("\u00a0", " "),
    ("\u202f", " "),
)
# Arabic letters written in several ways: alif with or without hamza or madda, alif maqsura
# and ya, ta marbuta and ha.
_ARABIC_FOLD = str.maketrans(
    {"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
     "\u0649": "\u064a", "\u0629": "\u0647"}
)  # fmt: skip
ARABIC = re.compile("[\u0600-\u06ff]")
_SEP = "\x00"  # a space or hyphen inside a term
_APOS = "\x01"  # an optional apostrophe inside a term


def fold(text: str) -> str:
    """Lower case with unified apostrophes/hyphens/spaces; same length as ``text``."""
    folded = text.lower()
    if len(folded) != len(text):
        # A few characters grow when lowered ("İ"); keep those as they are.
        folded = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    if folded.isascii():
        return folded
    for char, replacement in _FOLD_PAIRS:
        if char in folded:  # str.replace is C speed; most texts have few of these
            folded = folded.replace(char, replacement)
    return folded


def fold_arabic(folded: str) -> str:
    """Arabic letters written in several ways made one (alif with or without hamza or madda,
    alif maqsura and ya, ta marbuta and ha); same length."""
    return folded.translate(_ARABIC_FOLD)


def term_key(term: str) -> str:
    """The form under which a term (or a matched piece of folded text) is looked up."""
    return " ".join(fold(term).replace("'", "").replace("-", " ").split())


def _symbols(term: str) -> str:
    out: list[str] = []
    for ch in " ".join(fold(term).split()):
        if ch in " -":
            if not out or out[-1] != _SEP:
                out.append(_SEP)
        elif ch == "'":
            out.append(_APOS)
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Match(Generic[P]):
    start: int
    end: int
    payloads: tuple[P, ...]


class TermMatcher(Generic[P]):
    """Finds whole-word occurrences of many terms; the longest term wins at a position."""

    def __init__(self, terms: Mapping[str, Iterable[P]]) -> None:
        table: dict[str, list[P]] = {}
        trie: dict[str, Any] = {}  # symbol -> child node; "" marks the end of a term
        for term, payloads in terms.items():
            key = term_key(term)
            if not key:
                continue
            bucket = table.setdefault(key, [])
            bucket.extend(p for p in payloads if p not in bucket)
            node = trie
            for sym in _symbols(term):
                node = node.setdefault(sym, {})
            node[""] = True
        self._table: dict[str, tuple[P, ...]] = {k: tuple(v) for k, v in table.items()}
        body = _to_regex(trie) if trie else "(?!)"
        # Compiled here, for the texts the scan cannot take: no record pays for it.
        self._pattern = re.compile(rf"(?<!\w){body}(?!\w)")
        # Run on " " + folded, so that a term at the very start has a character before it too.
        self._scan = re.compile(rf"[{_non_word_class()}]({body})(?!\w)")
        # The scan eats the character before a term, which may not be the last of the term
        # before: fine while every term starts with a letter or digit (none can start there).
        self._scan_ok = all(re.match(r"\w", first) for first in trie)

    @property
    def pattern(self) -> re.Pattern[str]:
        """The trie as one regex; match it on folded text and look matches up with :meth:`get`.
        :meth:`spans` finds the same matches faster."""
        return self._pattern

    def get(self, found: str) -> tuple[P, ...] | None:
        """Payloads of a matched piece of folded text."""
        return self._table.get(found) or self._table.get(term_key(found))

    @property
    def table(self) -> Mapping[str, tuple[P, ...]]:
        """Payloads by term key; most matches are their own key (no hyphen or apostrophe)."""
        return self._table

    def __len__(self) -> int:
        return len(self._table)

    def spans(self, folded: str) -> Iterator[tuple[str, int, int]]:
        """(matched text, start, end) of every match in ``folded`` (from :func:`fold`), in
        order: the matches of :attr:`pattern` ``.finditer``. Look the text up with :meth:`get`."""
        if not self._scan_ok or not _bmp(folded):
            for m in self.pattern.finditer(folded):
                yield m.group(), m.start(), m.end()
            return
        parts = iter(self._scan.split(" " + folded))  # gap, term, gap, term, ..., gap
        # Each match also ate the character before its term, which is in no part; the " " put
        # in front stands for it before the first term.
        start = len(next(parts))
        for found, gap in zip(parts, parts, strict=True):  # (term, gap after it) pairs
            end = start + len(found)
            yield found, start, end
            start = end + len(gap) + 1

    def find(self, folded: str) -> list[tuple[int, int, tuple[P, ...]]]:
        """(start, end, payloads) of every match in ``folded`` (from :func:`fold`), in order."""
        table = self._table
        out: list[tuple[int, int, tuple[P, ...]]] = []
        for found, start, end in self.spans(folded):
            payloads = table.get(found) or table.get(term_key(found))
            if payloads:
                out.append((start, end, payloads))
        return out

    def finditer(self, folded: str) -> Iterator[Match[P]]:
        """The matches of :meth:`find` as :class:`Match` objects."""
        for start, end, payloads in self.find(folded):
            yield Match(start, end, payloads)


_ARTICLE = "\u0627\u0644"  # ال
_CONJUNCTIONS = "[\u0648\u0641]?"  # و ف
_PREPOSITIONS = "[\u0628\u0644\u0643]?"  # ب ل ك
_LI_AL = "\u0644\u0644"  # لل: ل + ال


class ProcliticMatcher(Generic[P]):
    """Arabic terms, also where particles are written onto them (see the module docstring).
    A match spans the written word, particles included ("لكتائب حزب الله")."""

    def __init__(self, terms: Mapping[str, Iterable[P]]) -> None:
        table: dict[str, list[P]] = {}
        for term, payloads in terms.items():
            bucket = table.setdefault(fold_arabic(term_key(term)), [])
            bucket.extend(p for p in payloads if p not in bucket)
        self._table = {k: tuple(v) for k, v in table.items() if k}
        self._sentinels = _sentinels(self._table)
        whole = _trie(self._table)
        definite = _trie(k[len(_ARTICLE) :] for k in self._table if k.startswith(_ARTICLE))
        body = f"{_CONJUNCTIONS}{_PREPOSITIONS}(?P<w>{whole})"
        if definite:
            body += f"|{_CONJUNCTIONS}{_LI_AL}(?P<d>{definite})"
        self._pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)")

    def may_match(self, folded: str) -> bool:
        """False when ``folded`` cannot hold a term: a few scans at C speed, where a regex
        over a 5 KB text costs 10 us."""
        return not folded.isascii() and any(ch in folded for ch in self._sentinels)

    def find(self, folded: str) -> list[tuple[int, int, tuple[P, ...]]]:
        """(start, end, payloads) of every match in ``folded`` (from :func:`fold`), in order."""
        out: list[tuple[int, int, tuple[P, ...]]] = []
        for m in self._pattern.finditer(fold_arabic(folded)):
            whole = m.group("w")
            key = term_key(whole) if whole is not None else term_key(_ARTICLE + m.group("d"))
            payloads = self._table.get(key)
            if payloads:
                out.append((m.start(), m.end(), payloads))
        return out


@functools.cache
def _non_word_class() -> str:
    """The inside of a regex class of every character of the Basic Multilingual Plane that
    ``\\w`` does not match (the regex engine keeps it as a bitmap)."""
    bmp = "".join(map(chr, range(0x10000)))
    runs = [m.span() for m in re.finditer(r"\W+", bmp)]  # \W itself: the same idea of a word
    return "".join(
        re.escape(bmp[a]) + ("-" + re.escape(bmp[b - 1]) if b - a > 1 else "") for a, b in runs
    )


def _bmp(text: str) -> bool:
    """Whether ``text`` is all in the Basic Multilingual Plane (no emoji, say), where
    :func:`_non_word_class` holds every non-word character: one C pass, ~1 us per KB."""
    return text.isascii() or len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text)


def _sentinels(keys: Iterable[str]) -> str:
    """A few letters, one of which every key holds (none that :func:`fold_arabic` changes)."""
    changed = {chr(c) for c in _ARABIC_FOLD} | {str(v) for v in _ARABIC_FOLD.values()}
    left = [set(k) - changed - {" "} for k in keys]
    chosen = ""
    while left:
        counts: dict[str, int] = {}
        for letters in left:
            for ch in letters:
                counts[ch] = counts.get(ch, 0) + 1
        if not counts:
            break
        best = max(sorted(counts), key=counts.__getitem__)
        chosen += best
        left = [letters for letters in left if best not in letters]
    return chosen


def _trie(keys: Iterable[str]) -> str:
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for sym in _symbols(key):
            node = node.setdefault(sym, {})
        node[""] = True
    return _to_regex(trie) if trie else "(?!)"


def trie_alternation(words: Iterable[str]) -> str:
    """A regex alternation of lower-case words shaped as a trie (spaces match any whitespace)."""
    return _trie(words).replace("[ -]", r"\s+")


def _to_regex(node: dict[str, Any]) -> str:
    terminal = "" in node
    branches: list[str] = []
    for sym in sorted(k for k in node if k):
        child = node[sym]
        if sym == _SEP:
            head = "[ -]"
        elif sym == _APOS:
            head = "'?"
        else:
            head = re.escape(sym)
        branches.append(head + _to_regex(child))
    if not branches:
        return ""
    alternation = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if terminal:
        # Greedy: the longer term is tried first, the shorter one is the fallback.
        return f"(?:{alternation})?"
    return alternation
