"""The cleaning patterns, loaded from ``patterns/*.yaml`` once, at import.

Each language file lists regular expressions per kind of chrome (see
``patterns/en.yaml`` for the kinds). All languages are merged: the patterns of
one kind become a single compiled alternation, so a paragraph costs one regex
call per kind, whatever the number of languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from newsingest.extract._starts import starts

_CASE_SENSITIVE = frozenset({"credit", "byline"})
_KINDS = (
    "trailer",
    "inline",
    "trailer_block",
    "trailer_tail",
    "credit",
    "caption",
    "metadata",
    "byline",
)


@dataclass(frozen=True, slots=True)
class Patterns:
    # One pass for the whole-paragraph kinds: a fullmatch whose ``lastgroup`` names the
    # kind (trailer, inline, trailer_block, credit, caption), in that order of precedence.
    chrome: re.Pattern[str]
    chrome_by_start: ChromeByStart  # the same answers, at a lower cost
    trailer: re.Pattern[str]
    # Casefolded literal phrases, grouped by first character under the start they share:
    # a text without that start (most have no "[") need not be searched for the group.
    trailer_phrases: dict[str, tuple[str, ...]]
    inline: re.Pattern[str]
    trailer_block: re.Pattern[str]
    trailer_tail: re.Pattern[str]
    credit: re.Pattern[str]
    caption: re.Pattern[str]
    metadata: re.Pattern[str]
    byline: re.Pattern[str]
    months: dict[str, int]
    byline_names: re.Pattern[str]  # splits the names of a byline
    minor_words: frozenset[str]
    stopwords: frozenset[str]
    languages: tuple[str, ...]


def _phrases(phrases: list[str]) -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for phrase in sorted({p.casefold() for p in phrases}):
        groups.setdefault(phrase[:1], []).append(phrase)
    return {_shared_start(group): tuple(group) for group in groups.values()}


def _shared_start(ordered: list[str]) -> str:
    """The start all the (sorted) strings share: the first and the last share it."""
    first, last = ordered[0], ordered[-1]
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


def _alternation(kind: str, regexes: list[str]) -> re.Pattern[str]:
    if not regexes:
        return re.compile(r"(?!)")  # matches nothing
    flags = re.UNICODE if kind in _CASE_SENSITIVE else re.UNICODE | re.IGNORECASE
    for regex in regexes:
        re.compile(regex, flags)  # fail at import, naming the bad one
    return re.compile("|".join(f"(?:{r})" for r in regexes), flags)


_CHROME_KINDS = ("trailer", "inline", "trailer_block", "credit", "caption")


def _chrome(merged: dict[str, list[str]]) -> re.Pattern[str]:
    branches = []
    for kind in _CHROME_KINDS:
        body = "|".join(f"(?:{r})" for r in merged[kind]) or "(?!)"
        flags = "" if kind in _CASE_SENSITIVE else "(?i:"
        tail = ".*" if kind == "caption" else ""  # a caption label starts the line
        branches.append(f"(?P<{kind}>{flags}(?:{body}){')' if flags else ''}{tail})")
    return re.compile("|".join(branches))


class ChromeByStart:
    """``chrome``, narrowed to the patterns a line's first character can start.

    Most patterns start with a word: a line starting with "T" need not try "comments
    are closed" or "related". Trying only the others costs about a third less. The
    narrowed patterns are compiled at import, one per ASCII first character (fewer
    distinct ones: "T" and "t" share theirs); a line starting with a non-ASCII
    character tries them all (see ``_starts``).
    """

    def __init__(self, merged: dict[str, list[str]]) -> None:
        self._all = _chrome(merged)
        chars = {regex: starts(regex) for kind in _CHROME_KINDS for regex in merged[kind]}
        compiled: dict[tuple[tuple[str, ...], ...], re.Pattern[str]] = {}
        self._by_first: dict[str, re.Pattern[str]] = {}
        for first in map(chr, range(128)):
            narrowed = tuple(
                tuple(r for r in merged[kind] if _may_start(chars[r], first.lower()))
                for kind in _CHROME_KINDS
            )
            if narrowed not in compiled:
                compiled[narrowed] = _chrome(
                    dict(zip(_CHROME_KINDS, map(list, narrowed), strict=True))
                )
            self._by_first[first] = compiled[narrowed]

    def fullmatch(self, line: str) -> re.Match[str] | None:
        return self._by_first.get(line[:1], self._all).fullmatch(line)


def _may_start(chars: frozenset[str] | None, first: str) -> bool:
    return chars is None or first in chars


def _load_files() -> dict[str, dict[str, Any]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    files = resources.files(__package__).joinpath("patterns")
    data = {}
    for entry in sorted(files.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data[entry.name.removesuffix(".yaml")] = yaml.load(entry.read_text("utf-8"), loader)
    return data


def load() -> Patterns:
    """Read and compile every language file (done once, into ``PATTERNS``)."""
    files = _load_files()
    merged: dict[str, list[str]] = {kind: [] for kind in _KINDS}
    phrases: list[str] = []
    months: dict[str, int] = {}
    abbreviations: dict[str, set[int]] = {}
    minor: set[str] = set()
    stop: set[str] = set()
    conjunctions: set[str] = set()
    for spec in files.values():
        for kind in _KINDS:
            merged[kind].extend(str(r) for r in spec.get(kind) or ())
        phrases.extend(str(p) for p in spec.get("trailer_phrases") or ())
        for number, name in enumerate(spec.get("months") or (), start=1):
            months[str(name).casefold()] = number
            abbreviations.setdefault(str(name).casefold()[:3], set()).add(number)
        minor.update(str(w).casefold() for w in spec.get("minor_words") or ())
        stop.update(str(w).casefold() for w in spec.get("stopwords") or ())
        conjunctions.update(re.escape(str(w)) for w in spec.get("conjunctions") or ())
    for short, numbers in abbreviations.items():
        if len(numbers) == 1 and short not in months:  # "jui" is juin or juillet: no
            months[short] = numbers.pop()
    return Patterns(
        chrome=_chrome(merged),
        chrome_by_start=ChromeByStart(merged),
        trailer_phrases=_phrases(phrases),
        **{kind: _alternation(kind, merged[kind]) for kind in _KINDS},
        months=months,
        byline_names=re.compile(
            r"\s*(?:,|&|\b(?:" + "|".join(sorted(conjunctions) or ["(?!)"]) + r")\b)\s*"
        ),
        minor_words=frozenset(minor),
        stopwords=frozenset(stop),
        languages=tuple(files),
    )


PATTERNS = load()
