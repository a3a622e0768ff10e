"""Casualty figures with who claims them: "militia officials said one person had been killed".

Figures are read from numbers and number words ("22 fighters were killed", "all
three perished"); one dead named without a figure ("a senior commander has been
killed") is a claim of at least one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from newsingest.classify.matcher import fold, trie_alternation
from newsingest.records import Casualties, CasualtyClaim, CasualtyCount, Span

_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a dozen": 12, "two dozen": 24,
    "three dozen": 36, "dozens": 24, "scores": 40, "hundreds": 200, "a hundred": 100,
}  # fmt: skip
_VAGUE = {"dozens", "scores", "hundreds"}


# Patterns run on the lower-cased sentence (same length), so no IGNORECASE: much faster.
_NUM = (
    r"(?:\d{1,3}(?:,\d{3})+|\d+|"
    + trie_alternation(
        [
            "two dozen", "three dozen", "a dozen", "dozens", "scores", "hundreds", "a hundred",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
            "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
            "eighty", "ninety", "one", "two", "three", "four", "five", "six", "seven", "eight",
            "nine", "ten",
        ]
    )
    + ")"
)  # fmt: skip
_QUAL = (
    "(?:"
    + trie_alternation(
        [
            "at least", "up to", "about", "around", "nearly", "almost", "more than", "over",
            "some", "approximately", "roughly", "as many as", "an estimated", "fewer than",
            "less than",
        ]
    )
    + ")"
)  # fmt: skip
_KILL = r"killed|dead|died|deaths|fatalities|perished|slain|lost\s+their\s+lives"
_HURT = r"wounded|injured|hurt|injuries|critically\s+wounded|seriously\s+injured"
# "22 fighters were killed", "one person had been killed", "all three perished"
# The look-behind fails at once inside words, where most positions are (2x faster).
_NUMBER_FIRST = re.compile(
    rf"(?<![\w-])(?P<n>{_NUM})(?P<x>(?:\s+(?!(?:and|or|but|while|after|in|on)\b)"
    rf"[\w'’-]+){{0,4}}?)\s+(?:(?:were|was|are|is|had\s+been|have\s+been|has\s+been|being)\s+)?"
    rf"(?:(?:also|reportedly|all|later|critically|seriously|lightly)\s+)?(?P<v>{_KILL}|{_HURT})\b"
)
# "killing at least 32 people", "wounded 51", "left four people dead"
_VERB_FIRST = re.compile(
    rf"(?P<v>killing|killed|kills|wounding|wounded|injuring|injured)\s+(?P<q>{_QUAL}\s+)?"
    rf"(?P<n>{_NUM})\b(?!\s*(?:years?|months?|days?|hours?|km|kilometres|miles|%|per\s+cent))"
)
_LEFT = re.compile(
    rf"left\s+(?P<q>{_QUAL}\s+)?(?P<n>{_NUM})\s+(?:[\w-]+\s+){{0,3}}?(?P<v>dead|wounded|injured)\b"
)
# One dead told without a numeral: "a senior commander has been killed", "Abu Taqwa was killed".
# Found from the verb back (a literal start lets the regex engine skip ahead).
_SINGULAR_VERB = re.compile(r"(?:killed|slain|shot\s+dead)\b")
_SINGULAR_BEFORE = re.compile(
    r"\b(?:was|has\s+been|had\s+been)\s+(?:(?:reportedly|also|later|allegedly)\s+)?$"
)
_NO_ONE_BEFORE = re.compile(
    r"\b(?:no\s+one|nobody|none|anyone|anybody|no|not|whether|if)\b[^,;:.]{0,25}$"
)
# Where the subject of "was killed" cannot reach back past (found with str.rfind: fast).
_SUBJECT_STOPS = (
    *";:“”\"()",
    *(
        f" {w} "
        for w in ("said", "says", "told", "reported", "confirmed", "announced", "stated", "that",
                  "when", "after")
    ),
)  # fmt: skip
_QUAL_BEFORE = re.compile(rf"(?<![\w-])(?P<q>{_QUAL})\s+$")
# Each word opens with its first letter, then checks the word start ("s(?<!\ws)" is "\bs"):
# the regex engine skips ahead to those letters.
_SPEECH = re.compile(
    r"(?:s(?<!\ws)(?:aid|ays|tated)|r(?<!\wr)eport(?:ed|s)|t(?<!\wt)old|c(?<!\wc)onfirmed"
    r"|a(?<!\wa)(?:nnounced|ccording\s+to)|p(?<!\wp)ut\s+the\s+toll)\b"
)
_CLAUSE_BREAK = re.compile(r"[,;:“”\"()]|\b(?:while|and|but|that|which|who|as)\b", re.IGNORECASE)
_DETERMINER = re.compile(r"^(?:the|a|an|its|their|his|her)\s+", re.IGNORECASE)
_UNITS = re.compile(r"^\s*(?:years?|months?|weeks?|days?|hours?|minutes?|km|kilometres|miles)\b")


@dataclass(frozen=True, slots=True)
class _Claim:
    killed: bool
    claim: CasualtyClaim


def find_casualties(
    text: str, sentences: Iterable[tuple[int, int]], folded: str | None = None
) -> Casualties:
    """Killed and injured counts over the given sentences, every claim kept (``folded`` is
    ``fold(text)`` when the caller has it)."""
    killed: list[CasualtyClaim] = []
    injured: list[CasualtyClaim] = []
    low: str | None = folded
    for start, end in sentences:
        if low is None:
            low = fold(text)  # same length: offsets hold
        for c in _claims(text, low, start, end):
            (killed if c.killed else injured).append(c.claim)
    return Casualties(killed=_count(killed), injured=_count(injured))


def _count(claims: list[CasualtyClaim]) -> CasualtyCount | None:
    if not claims:
        return None
    numbers = [c.number for c in claims]
    return CasualtyCount(min=min(numbers), max=max(numbers), claims=claims)


def _claims(text: str, low: str, start: int, end: int) -> list[_Claim]:
    found: dict[tuple[int, int], _Claim] = {}
    for pattern in (_NUMBER_FIRST, _VERB_FIRST, _LEFT):
        for m in pattern.finditer(low, start, end):
            if m.start() and (low[m.start() - 1].isalnum() or low[m.start() - 1] in "_-"):
                continue  # inside a word ("Kone", "skilled")
            if low.endswith("no ", max(start, m.start() - 3), m.start()):
                continue  # "no one was killed"
            number = _number(m["n"])
            if number is None or number > 100_000:
                continue
            span_start, span_end = m.start(), m.end()
            qualifier_text = None if pattern is _NUMBER_FIRST else m["q"]  # it has no "q"
            if pattern is _NUMBER_FIRST:
                if _UNITS.match(m["x"] or ""):
                    continue
                before = _QUAL_BEFORE.search(low, max(start, span_start - 25), span_start)
                if before:
                    span_start, qualifier_text = before.start(), before["q"]
            if any(s < span_end and span_start < e for s, e in found):
                continue
            qualifier = " ".join(qualifier_text.lower().split()) if qualifier_text else None
            if qualifier is None and m["n"].lower() in _VAGUE:
                qualifier = "at least"
            verb = m["v"].lower()
            is_killed = not ("wound" in verb or "injur" in verb or "hurt" in verb)
            claim = CasualtyClaim(
                number=number,
                claimant=_claimant(text, low, start, end, span_start, span_end),
                span=Span(text[span_start:span_end], span_start, span_end),
                qualifier=qualifier,
            )
            found[(span_start, span_end)] = _Claim(is_killed, claim)
    for verb in _SINGULAR_VERB.finditer(low, start, end):
        window = max(start, verb.start() - 40)
        if (
            low.find("was", window, verb.start()) == -1
            and low.find("been", window, verb.start()) == -1
        ):
            continue  # no "was" or "been" before it: the regex only where its words are
        aux = _SINGULAR_BEFORE.search(low, window, verb.start())
        if aux is None or _NO_ONE_BEFORE.search(low, max(start, aux.start() - 40), aux.start()):
            continue  # "no one was killed", "it was not clear whether anyone was killed"
        span_start, span_end = _subject_start(low, start, aux.start()), verb.end()
        if any(s < span_end and span_start < e for s, e in found):
            continue  # "one person had been killed": counted above
        claim = CasualtyClaim(
            number=1,
            claimant=_claimant(text, low, start, end, span_start, span_end),
            span=Span(text[span_start:span_end], span_start, span_end),
            qualifier="at least",  # one named dead; the text does not say no one else died
        )
        found[(span_start, span_end)] = _Claim(True, claim)
    return [found[k] for k in sorted(found)]


def _subject_start(low: str, floor: int, verb: int) -> int:
    """Where the subject of a verb at ``verb`` starts: up to six words back, within the
    clause."""
    window = max(floor, verb - 80)
    for stop in _SUBJECT_STOPS:
        at = low.rfind(stop, window, verb)
        if at != -1:
            window = at + len(stop)
    words = low[window:verb].split()
    if not words:
        return verb
    # The sixth word from the end, found from the right (split() drops the offsets).
    at = verb
    for word in reversed(words[-6:]):
        at = low.rfind(word, window, at)
    return at


def _number(token: str) -> int | None:
    token = " ".join(token.lower().split())
    if token[0].isdigit():
        return int(token.replace(",", ""))
    return _WORDS.get(token)


def _claimant(
    text: str, low: str, start: int, end: int, span_start: int, span_end: int
) -> str | None:
    """Who gives the figure: the speaker nearest before it in the sentence, else after it."""
    before = list(_SPEECH.finditer(low, max(start, span_start - 200), span_start))
    if before:
        return _speaker(text, start, before[-1])
    after = _SPEECH.search(low, span_end, end)
    return _speaker(text, span_end, after) if after else None


def _speaker(text: str, floor: int, verb: re.Match[str]) -> str | None:
    if verb.group().lower().startswith("according"):
        tail = text[verb.end() : verb.end() + 80]
        stop = _CLAUSE_BREAK.search(tail)
        phrase = tail[: stop.start() if stop else len(tail)].rstrip(" .")
    else:
        head = text[max(floor, verb.start() - 80) : verb.start()]
        breaks = list(_CLAUSE_BREAK.finditer(head))
        phrase = head[breaks[-1].end() :] if breaks else head
        phrase = " ".join(phrase.split()[-5:])
    phrase = _DETERMINER.sub("", phrase.strip(" .,")).strip()
    if not phrase or phrase.lower() in {"it", "he", "she", "they", "we", "i"}:
        return phrase or None
    return phrase
