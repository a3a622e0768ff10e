"""How strongly each sentence, and so the article, reports an attack that happened.

A sentence's evidence comes from its attack nouns ("air strike") and verbs
("struck"), confirmed by military words and lowered by whatever says the attack
is not this article's news: another sense of the word ("strike a deal"), a
threat or a plan ("vowed to strike"), a negation, a back-reference ("in
retaliation for the attack"), a background time ("last month", a date weeks
before publication, "rockets have struck...") or another kind of news (a
funeral, talks, an election). The article is a strike report when its lead,
weighted by position, carries strong evidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import cast

from newsingest.classify.cues import (
    ACTOR,
    AFTER,
    BACKGROUND,
    BACKREF,
    BLAME,
    CLAIM,
    DATE,
    DOMAIN,
    FRAME,
    IRREALIS,
    KILLED,
    LEAD_SENTENCES,
    MILITARY,
    MILITIA,
    NEGATION,
    NOUN,
    TITLE_WEIGHT,
    VERB,
    WEAPON,
    Cue,
    Sentence,
)
from newsingest.classify.dates import DateMention, find_dates
from newsingest.records import StrikeType

THRESHOLD = 1.0
"""Document score from which an article is a strike report."""

_NounValue = tuple[StrikeType | None, float]  # built once: cast() to it is then free
_UNAMBIGUOUS_TYPES = frozenset({"airstrike", "drone_strike", "missile", "rocket", "artillery"})
_STRIKE_FAMILY = frozenset({"strike", "strikes", "struck", "striking", "hit", "hits"})
# "strike a deal", "struck water agreements", "hit a record"
_OTHER_SENSE_AFTER = re.compile(
    r"(?: [\w'-]+){0,4}? (?:deal|deals|agreement|agreements|accord|accords|pact|bargain|"
    r"balance|compromise|chord|tone|pose|note|record|jackpot|gold)\b"
)
# Perfect tense after the lead tells the history: "rockets have also struck US bases".
_PERFECT = re.compile(
    r"\b(?:has|have|had)\s+(?:also\s+|repeatedly\s+|previously\s+|often\s+)?(?:been\s+)?"
    r"(?:struck|hit|targeted|attacked|carried out|launched|fired|bombed|shelled|claimed)\b"
)
_REPORTED = re.compile(r"\b(?:said|says|claimed|claims|announced|added) (?:that )?(?:it|they) $")
_FACILITY_AFTER = re.compile(
    r"(?:[ -](?:and|or|[\w-]+)){0,3}?[ -](?:stores?|storage|depots?|facilit(?:y|ies)|sites?|"
    r"production|launchers?|factor(?:y|ies)|workshops?|warehouses?|programmes?|programs?|"
    r"stocks?|stockpiles?|arsenals?|caches?)\b"
)
_DETERMINERS = frozenset({"the", "this", "that", "these", "its", "their", "latest"})


def score_sentence(
    text: str,
    folded: str,
    s: Sentence,
    ref: date | None,
    weapon_types: Mapping[str, StrikeType],
) -> None:
    """Set the sentence's evidence, best span, strike type and flags."""
    count = s.kinds.get
    military = count(MILITARY, 0) + count(WEAPON, 0) + count(MILITIA, 0)
    # Military words, or people killed, confirm that "strike" or "attack" means one; a country
    # alone half does.
    context = 1.0 if military or count(KILLED) else (0.75 if count(ACTOR) else 0.5)
    has_noun = count(NOUN, 0) + count(WEAPON, 0) > 0
    after_counts = s.index >= 1 and count(AFTER, 0) > 0  # see lexicon.AFTER
    modified = count(IRREALIS, 0) + count(NEGATION, 0) + count(BACKREF, 0) > 0 or after_counts
    best = 0.0
    best_span: tuple[int, int] | None = None
    realised = False
    type_votes: dict[StrikeType, float] = {}
    attack_words = has_noun or count(VERB, 0) > 0
    for start, end, (kind, value) in s.cues if attack_words else ():
        if kind == NOUN:
            strike_type, strength = cast(_NounValue, value)
            unambiguous = strike_type in _UNAMBIGUOUS_TYPES or (
                strike_type == "bombing" and strength >= 1
            )
            score = strength * (1.0 if unambiguous else context)
            if strike_type:
                type_votes[strike_type] = type_votes.get(strike_type, 0.0) + score
            if not s.definite:
                s.definite = _is_definite(folded[max(s.start, start - 30) : start])
        elif kind == VERB:
            strength = cast(float, value)
            # "bombed", "shelled", "attacked" say it alone; "hit" or "fired" need a weapon word.
            alone = 1.0 if has_noun or strength >= 0.9 else 0.5
            score = strength * (1.0 if military else 0.3) * alone
            realised = realised or score >= 0.3
        elif kind == WEAPON:
            if _FACILITY_AFTER.match(folded, end, s.end):
                continue  # "drone and rocket stores": a target, not the weapon used
            weapon_type = weapon_types[str(value)]
            type_votes[weapon_type] = type_votes.get(weapon_type, 0.0) + 0.5
            score = 0.35
        else:
            continue
        if folded[start:end] in _STRIKE_FAMILY and _OTHER_SENSE_AFTER.match(folded, end, s.end):
            continue
        if modified:
            score *= local_modifier(s.cues, start, after_counts)
        if score > best:
            best, best_span = score, (start, end)
    if best > 0 and realised and has_noun:
        best = min(1.2, best + 0.2)  # a noun and a verb in the past: "carried out an air strike"
    s.background = (
        count(BACKGROUND, 0) > 0
        or (count(DATE, 0) > 0 and _old_date(text, s, ref))
        or (s.index >= 2 and _tells_history(folded, s))
    )
    if s.background:
        s.definite = False
        best *= 0.5
    s.claim = not s.background and (
        count(CLAIM, 0) > 0 or (count(BLAME, 0) > 0 and (attack_words or s.index < 6))
    )
    frames, domain = count(FRAME, 0), count(DOMAIN, 0)
    if frames:
        best *= 0.35
    if domain >= 2 and military == 0:
        best *= 0.2
    elif domain > military + 1:
        best *= 0.5
    if best and text.rfind("?", s.start, s.end) >= s.end - 3:
        best *= 0.3  # a question: "Would Israel strike Iran?"
    s.evidence = best
    s.best = best_span
    if type_votes:
        top: StrikeType = max(type_votes, key=type_votes.__getitem__)
        s.strike_type = top
    else:
        s.strike_type = None
    s.off_topic = frames + domain + count(IRREALIS, 0) > 0 or military == 0


def local_modifier(cues: list[Cue], at: int, after_counts: bool = False) -> float:
    """How much the words just before an attack word take away from it."""
    factor = 1.0
    seen: set[str] = set()
    for _start, end, (kind, _) in cues:
        if end > at:
            break
        if kind in seen:
            continue
        distance = at - end
        if (kind == IRREALIS and distance <= 60) or (kind == NEGATION and distance <= 25):
            factor *= 0.25
        elif (kind == BACKREF or (kind == AFTER and after_counts)) and distance <= 45:
            kind = BACKREF
            factor *= 0.35
        else:
            continue
        seen.add(kind)
    return factor


def document_score(sentences: list[Sentence], title: Sentence | None) -> float:
    """The best position-weighted evidence of the lead, plus a little of the rest."""
    lead = [s.evidence * s.weight for s in sentences[: LEAD_SENTENCES + 1]]
    if title is not None:
        lead.append(title.evidence * TITLE_WEIGHT)
    rest = sorted((s.evidence for s in sentences[1:]), reverse=True)[:3]
    score = max(lead, default=0.0) + 0.15 * sum(rest)
    headline = title or (sentences[0] if sentences and sentences[0].is_title else None)
    if headline is not None and headline.evidence < 0.3 and headline.off_topic:
        score *= 0.7  # the headline is about something else
    return score


def event_sentences(sentences: list[Sentence]) -> list[Sentence]:
    """Sentences that report the event itself: the lead, claims, and later sentences that
    refer back to it ("the strike") or report it strongly; never background."""
    return [
        s
        for s in sentences
        if not s.background
        and (
            s.claim
            or (s.evidence > 0 and s.index < 3)
            or (s.definite and s.evidence >= 0.3)
            or (s.evidence >= 0.9 and s.index < 10)
        )
    ]


def sentence_dates(text: str, s: Sentence, ref: date | None) -> list[DateMention]:
    """Dates in the sentence (the regex runs only where a date word was matched)."""
    if s.dates is None:
        if s.kinds.get(DATE):
            words = [(a, b) for a, b, (kind, _) in s.cues if kind == DATE]
            s.dates = find_dates(text, s.start, s.end, ref, words)
        else:
            s.dates = []
    return s.dates


def _is_definite(before: str) -> bool:
    """A definite reference just before an attack word: "the (US) strike", "Wednesday's raid"."""
    for word in before.split()[-3:]:
        if word in _DETERMINERS or word.endswith(("day's", "night's")):
            return True
    return False


def _tells_history(folded: str, s: Sentence) -> bool:
    """Perfect tense of an attack verb, not in reported speech ("said it had launched")."""
    if folded.find(" ha", s.start, s.end) == -1:
        return False  # no has/have/had: skip the regex
    for m in _PERFECT.finditer(folded, s.start, s.end):
        if not _REPORTED.search(folded, max(s.start, m.start() - 25), m.start()):
            return True
    return False


def _old_date(text: str, s: Sentence, ref: date | None) -> bool:
    """A date written out that lies more than a week before publication; without a
    publication date, any written-out date after the lead (the lead gives the news)."""
    if ref is None:
        return s.index > 1 and any(d.explicit for d in sentence_dates(text, s, None))
    return any(
        d.explicit
        and d.day is not None
        and d.day < ref - timedelta(days=7)
        # "in January" only when it opens the sentence; "in August 2021" always
        and (not d.month_only or d.has_year or d.start - s.start < 3)
        for d in sentence_dates(text, s, ref)
    )
