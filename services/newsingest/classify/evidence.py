"""How strongly each sentence, and so the article, reports an attack that happened.

A sentence's evidence comes from its attack nouns ("air strike") and verbs
("struck"; "launched two missiles at a ship", "stormed a checkpoint, killing
four soldiers" say it without a noun), confirmed by military words and lowered
by whatever says the attack is not this article's news: another sense of the
word ("strike a deal"), a threat or a plan ("vowed to strike"), a negation, a
back-reference ("in retaliation for the attack"), a background time ("last
month", a date weeks before publication, "rockets have struck...") or another
kind of news (a funeral, talks, an election). The article is a strike report
when its lead, weighted by position, carries strong evidence.
"""

from __future__ import annotations

import bisect
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
from newsingest.classify.lexicon import KILLED as KILLING_WORDS
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
# Patterns searched over whole sentences open with a literal and check the word start after
# it ("ha(?<!\wha)" is "\bha"): the regex engine then skips ahead to the literal, 10x faster.
_PERFECT = re.compile(
    r"ha(?<!\wha)(?:s|ve|d)\s+(?:also\s+|repeatedly\s+|previously\s+|often\s+)?(?:been\s+)?"
    r"(?:struck|hit|targeted|attacked|carried out|launched|fired|bombed|shelled|claimed)\b"
)
_REPORTED = re.compile(r"\b(?:said|says|claimed|claims|announced|added) (?:that )?(?:it|they) $")
_FACILITY_AFTER = re.compile(
    r"(?:[ -](?:and|or|[\w-]+)){0,3}?[ -](?:stores?|storage|depots?|facilit(?:y|ies)|sites?|"
    r"production|launchers?|factor(?:y|ies)|workshops?|warehouses?|programmes?|programs?|"
    r"stocks?|stockpiles?|arsenals?|caches?)\b"
)
_DETERMINERS = frozenset({"the", "this", "that", "these", "its", "their", "latest"})
# "launched two missiles at a ship", "fired drones from Yemen toward Eilat": weapons sent at a
# target are an attack even with no attack noun; "fired a missile into the sea" is a test.
_LAUNCH_VERBS = frozenset({"launched", "launches", "fired", "fires"})
_WEAPON_LIST_GAP = re.compile(r"(?:,| and| or| as well as)? (?:an? |the |two |three |several )?")
_SENT_AT = re.compile(
    r"(?: (?:from|off|over) [\w'-]+(?: [\w'-]+){0,3}?)?"
    r" (?:(?P<sea>into (?:the )?(?:sea|water|waters|ocean))|at|toward|towards|against|on|into)\b"
)
_PERFECT_BEFORE = re.compile(r"\b(?:has|have|had)(?: also| been| repeatedly)? $")
_KILLING = frozenset(KILLING_WORDS)
# A claim of some of the attacks: "claimed two of the attacks", "claiming Sunday's strike";
# not "a militia that has claimed several attacks" (its history).
_CLAIMED = re.compile(
    r"claim(?<!\wclaim)(?<!has claim)(?<!have claim)(?<!had claim)(?<!also claim)"
    r"(?<!that claim)(?<!which claim)(?<!who claim)"
    r"(?:ed|ing) (?:[\w']+ ){0,4}?(?:attacks?|strikes?|bombings?|raids?|assaults?|"
    r"operations?|ambush(?:es)?)\b"
)
# Kind of strike a verb names; a state's "bombing" becomes an airstrike in scene.strike_type.
_VERB_TYPES: dict[str, StrikeType] = {
    "bombed": "bombing",
    "bombs": "bombing",
    "shelled": "artillery",
}


def score_sentence(
    text: str,
    folded: str,
    s: Sentence,
    ref: date | None,
    weapon_types: Mapping[str, StrikeType],
) -> None:
    """Set the sentence's evidence, best span, strike type and flags."""
    kinds = s.kinds  # a kind is in it only with a count of one or more
    count = kinds.get
    military = count(MILITARY, 0) + count(WEAPON, 0) + count(MILITIA, 0)
    # Military words, or people killed, confirm that "strike" or "attack" means one; a country
    # alone half does.
    context = 1.0 if military or KILLED in kinds else (0.75 if ACTOR in kinds else 0.5)
    has_noun = NOUN in kinds or WEAPON in kinds
    after_counts = s.index >= 1 and AFTER in kinds  # see lexicon.AFTER
    modified = after_counts or IRREALIS in kinds or NEGATION in kinds or BACKREF in kinds
    best = 0.0
    best_span: tuple[int, int] | None = None
    realised = False
    type_votes: dict[StrikeType, float] = {}
    attack_words = has_noun or VERB in kinds
    nouns: list[int] = []  # where the attack nouns start: their "definite" is read at the end
    if attack_words:
        if CLAIM not in kinds and folded.find("claim", s.start, s.end) != -1:
            found = _CLAIMED.search(folded, s.start, s.end)
            if found:
                s.add(found.start(), found.end(), (CLAIM, None))
                s.cues.sort(key=lambda c: c[0])
        cues = s.cues
        modifiers: list[_Modifier] | None = None  # built on first use
        # Start of the last "killed" (-2: not looked up yet).
        last_killing = -2 if KILLED in kinds else -1
        for start, end, (kind, value) in cues:
            if kind == NOUN:
                strike_type, strength = cast(_NounValue, value)
                unambiguous = strike_type in _UNAMBIGUOUS_TYPES or (
                    strike_type == "bombing" and strength >= 1
                )
                score = strength * (1.0 if unambiguous else context)
                if strike_type:
                    type_votes[strike_type] = type_votes.get(strike_type, 0.0) + score
                nouns.append(start)
            elif kind == VERB:
                strength = cast(float, value)
                # "bombed", "shelled", "attacked" say it alone; "hit" or "fired" need a weapon.
                alone = 1.0 if has_noun or strength >= 0.9 else 0.5
                word = folded[start:end]
                sent = _sent_at(folded, s, start, end) if word in _LAUNCH_VERBS else 0
                if sent < 0:
                    continue  # "fired a missile into the sea"
                if strength > 0.4 and last_killing == -2:
                    last_killing = _last_killing(folded, s)
                if sent > 0 or (strength > 0.4 and last_killing > end):
                    # "launched missiles at a ship", "stormed a checkpoint, killing four soldiers"
                    strength, alone = min(1.0, strength + 0.3), 1.0
                score = strength * (1.0 if military else 0.3) * alone
                realised = realised or score >= 0.3
                verb_type = _VERB_TYPES.get(word)
                if verb_type:
                    type_votes[verb_type] = type_votes.get(verb_type, 0.0) + 0.5 * score
            elif kind == WEAPON:
                facility = _FACILITY_AFTER.match(folded, end, s.end)
                if facility and not _verb_between(cues, end, facility.end()):
                    continue  # "drone and rocket stores": a target; not "jets struck depots"
                weapon_type = weapon_types[str(value)]
                type_votes[weapon_type] = type_votes.get(weapon_type, 0.0) + 0.5
                score = 0.35
            else:
                continue
            # The rest only decides whether this word is the best so far: a modifier never
            # raises a score, so neither it nor the other sense is read for a lower one.
            if score <= best:
                continue
            if modified:
                if modifiers is None:
                    modifiers = _modifiers(cues)
                score *= local_modifier(modifiers, start, after_counts)
            if score > best and not (
                folded[start:end] in _STRIKE_FAMILY and _OTHER_SENSE_AFTER.match(folded, end, s.end)
            ):
                best, best_span = score, (start, end)
    if best > 0 and realised and has_noun:
        best = min(1.2, best + 0.2)  # a noun and a verb in the past: "carried out an air strike"
    s.background = (
        BACKGROUND in kinds
        or (DATE in kinds and _old_date(text, s, ref))
        or (s.index >= 2 and _tells_history(folded, s))
    )
    if s.background:
        s.definite = False
        best *= 0.5
    elif not s.definite:
        # Read here, not per noun: background sentences never need it.
        for start in nouns:
            if _is_definite(folded[max(s.start, start - 30) : start]):
                s.definite = True
                break
    s.claim = not s.background and (
        CLAIM in kinds or (BLAME in kinds and (attack_words or s.index < 6) and _blames_this(s))
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


_HARM_STRENGTH = 0.4  # the strength of "killed", "wounded" in lexicon.ATTACK_VERBS


def in_other_event(s: Sentence, at: int, openers: tuple[str, ...] = (BACKREF, AFTER)) -> bool:
    """Whether ``at`` follows an opener of another event ("in response to", "days after"),
    with no attack verb (not a mere "killed") starting a new clause between them."""
    kinds = s.kinds
    for opener in openers:
        if opener in kinds:
            break
    else:
        return False  # most sentences have no opener: skip their cues
    inside = False
    for _start, end, (kind, value) in s.cues:
        if end > at:
            break
        if kind in openers:
            inside = True
        elif kind == VERB and cast(float, value) > _HARM_STRENGTH:
            inside = False
    return inside


def _blames_this(s: Sentence) -> bool:
    """A blame not inside a clause about another event ("days after a bombing that Turkey
    blamed on Kurdish militants")."""
    return any(kind == BLAME and not in_other_event(s, start) for start, _, (kind, _) in s.cues)


def _sent_at(folded: str, s: Sentence, start: int, end: int) -> int:
    """Whether the launch verb at ``start:end`` sends weapons at a target (1), into the sea
    (-1), or neither (0). Not in the perfect tense: "have fired missiles at ships" is history."""
    if _PERFECT_BEFORE.search(folded, max(s.start, start - 25), start):
        return 0
    last = -1
    following = bisect.bisect_left(s.cues, end, key=_cue_start)
    for w_start, w_end, (kind, _) in s.cues[following : following + 5]:
        if kind != WEAPON or w_start - end > 60:
            continue
        if last == -1:
            gap = folded[end:w_start]
            if "," in gap or len(gap.split()) > 3:
                break
        elif not _WEAPON_LIST_GAP.fullmatch(folded, last, w_start):
            break
        last = w_end
    if last == -1:
        return 0
    sent = _SENT_AT.match(folded, last, s.end)
    if sent is None:
        return 0
    return -1 if sent.group("sea") else 1


def _cue_start(cue: Cue) -> int:
    return cue[0]


def _verb_between(cues: list[Cue], end: int, stop: int) -> bool:
    """Whether an attack verb starts between ``end`` and ``stop``."""
    for start, _, (kind, _) in cues[bisect.bisect_left(cues, end, key=_cue_start) :]:
        if start >= stop:
            return False
        if kind == VERB:
            return True
    return False


def _last_killing(folded: str, s: Sentence) -> int:
    """Where the sentence's last killing word starts ("stormed a checkpoint, killing four
    soldiers"), or -1."""
    last = -1
    for start, end, (kind, _) in s.cues:
        if kind == KILLED and folded[start:end] in _KILLING:
            last = start
    return last


# A word that may weaken an attack word after it: (how far the cues up to it reach, its end,
# its kind). Listed once per sentence, then read for each attack word.
_Modifier = tuple[int, int, str]
_MODIFIER_KINDS = frozenset({IRREALIS, NEGATION, BACKREF, AFTER})


def _modifiers(cues: list[Cue]) -> list[_Modifier]:
    reach = -1
    found: list[_Modifier] = []
    for _start, end, (kind, _) in cues:
        if end > reach:
            reach = end
        if kind in _MODIFIER_KINDS:
            found.append((reach, end, kind))
    return found


def local_modifier(modifiers: list[_Modifier], at: int, after_counts: bool = False) -> float:
    """How much the words just before an attack word take away from it: each kind once, but
    every "after" that counts (``modifiers`` from :func:`_modifiers`)."""
    factor = 1.0
    irrealis = negation = backref = False
    for reach, end, kind in modifiers:
        if reach > at:
            break  # a cue up to here ends after ``at``: not before it
        distance = at - end
        if kind == IRREALIS:
            if not irrealis and distance <= 60:
                factor *= 0.25
                irrealis = True
        elif kind == NEGATION:
            if not negation and distance <= 25:
                factor *= 0.25
                negation = True
        elif kind == BACKREF:
            if not backref and distance <= 45:
                factor *= 0.35
                backref = True
        elif after_counts and distance <= 45:
            factor *= 0.35
            backref = True
    return factor


def document_score(sentences: list[Sentence], title: Sentence | None) -> float:
    """The best position-weighted evidence of the lead, plus a little of the rest."""
    lead = [s.evidence * s.weight for s in sentences[: LEAD_SENTENCES + 1]]
    if title is not None:
        lead.append(title.evidence * TITLE_WEIGHT)
    rest = sorted([s.evidence for s in sentences[1:]], reverse=True)[:3]
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


# Every date written out holds a month's name (capitalised: dates._DATE is case-sensitive) or
# a year in ASCII digits. All alternatives open with a literal: the engine skips ahead to them.
_WRITTEN_OUT = re.compile(r"0|1|2|3|4|5|6|7|8|9|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")


def may_write_out_a_date(text: str, s: Sentence) -> bool:
    """False when the sentence holds no date written out (``DateMention.explicit``): it has
    no month's name and no digit. Far cheaper than reading its dates."""
    return _WRITTEN_OUT.search(text, s.start, s.end) is not None


def _old_date(text: str, s: Sentence, ref: date | None) -> bool:
    """A date written out that lies more than a week before publication; without a
    publication date, any written-out date after the lead (the lead gives the news). Not a
    date in a clause that tells a group's history ("the Houthis, who have fought since 2014")."""
    if (ref is None and s.index <= 1) or not may_write_out_a_date(text, s):
        return False  # dated by a weekday or "yesterday" only (most are): nothing to read
    if ref is None:
        return any(
            d.explicit and not _in_group_clause(text, s, d.start)
            for d in sentence_dates(text, s, None)
        )
    week_before = ref - timedelta(days=7)
    for d in sentence_dates(text, s, ref):
        if (
            d.explicit
            and d.day is not None
            and d.day < week_before
            # "in January" only when it opens the sentence; "in August 2021" always
            and (not d.month_only or d.has_year or d.start - s.start < 3)
            and not _in_group_clause(text, s, d.start)
        ):
            return True
    return False


_GROUP_CLAUSE = re.compile(r", (?:which|who) ")


def _in_group_clause(text: str, s: Sentence, at: int) -> bool:
    """Whether ``at`` lies in a relative clause opened right after an armed group's name."""
    if MILITIA not in s.kinds:
        return False  # no group named
    opened = None
    for m in _GROUP_CLAUSE.finditer(text, s.start, at):
        opened = m.start()
    if opened is None:
        return False
    return any(kind == MILITIA and end == opened for _, end, (kind, _) in s.cues)
