"""Where, when and with what: the scene, the day, the kind of strike, the weapons."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import cast

from newsingest.classify.actors import AGENT_SUFFIX
from newsingest.classify.cues import (
    AFTER,
    BACKREF,
    DEMONYM,
    IRREALIS,
    LEAD_SENTENCES,
    PLACE,
    VERB,
    WEAPON,
    Cue,
    Sentence,
)
from newsingest.classify.evidence import sentence_dates
from newsingest.classify.gazetteer import Place, Weapon
from newsingest.records import Actor, LocationTag, Span, StrikeType, WeaponTag

_HARM_STRENGTH = 0.4  # the strength of "killed", "wounded" in lexicon.ATTACK_VERBS
_SPECIFICITY = {"base": 1.0, "site": 1.0, "district": 1.0, "city": 0.9, "province": 0.7}
_SPECIFICITY_DEFAULT = 0.45  # countries and seas
_AT_BEFORE = re.compile(
    r"\b(?:at|on|against|toward|towards|into|targeting|hit|hitting|struck|striking)"
    r"(?: the| an?)? (?:[\w'-]+ ){0,1}$"
)
_FROM_BEFORE = re.compile(r"\bfrom (?:the |its )?(?:[\w'-]+ ){0,1}$")
_SAID_BEFORE = re.compile(
    r"\b(?:said|says|announced|told|reported|added|stated|confirmed|claimed)"
    r"(?: \w+){0,2} (?:on|late on|early on|this|last)? ?$"
)


def strike_type(event: list[Sentence], actor: Actor | None) -> StrikeType:
    """The kind of strike most of the event sentences name."""
    votes: dict[StrikeType, float] = defaultdict(float)
    for s in event:
        if s.strike_type:
            votes[s.strike_type] += s.weight * max(s.evidence, 0.2)
    if not votes:
        return "other"
    kind = max(votes, key=lambda t: votes[t])
    if kind == "bombing" and actor not in ("militia", "unknown", None):
        return "airstrike"  # a state's "bombing" is from the air
    return kind


def locations(
    text: str,
    folded: str,
    sentences: list[Sentence],
    event: list[Sentence],
    places: Sequence[Place],
) -> list[LocationTag]:
    """Places named: the scene first (the most specific place where the strongest sentences
    put the attack), then the others in order of mention."""
    best: dict[int, float] = defaultdict(float)
    total: dict[int, float] = defaultdict(float)
    found: dict[int, list[Span]] = {}
    demonyms: dict[int, float] = defaultdict(float)
    pool = event or [s for s in sentences[: LEAD_SENTENCES + 1] if not s.background]
    pool_ids = {id(s) for s in pool}
    for s in sentences:
        in_pool = id(s) in pool_ids
        for start, end, (kind, value) in s.cues:
            if kind == DEMONYM and in_pool:
                demonyms[cast(int, value)] += s.weight
            if kind != PLACE or AGENT_SUFFIX.match(folded, end):
                continue
            index = cast(int, value)
            found.setdefault(index, []).append(Span(text[start:end], start, end))
            if not in_pool:
                continue
            weight = s.weight * max(s.evidence, 0.2)
            weight *= _SPECIFICITY.get(places[index].kind, _SPECIFICITY_DEFAULT)
            modifier = _place_modifier(s.cues, start)
            weight *= modifier
            if _FROM_BEFORE.search(folded, max(s.start, start - 25), start):
                weight *= 0.3  # where the attack came from
            elif modifier == 1.0 and _AT_BEFORE.search(folded, max(s.start, start - 25), start):
                weight *= 1.3  # what it hit
            best[index] = max(best[index], weight)
            total[index] += weight
    scores = {i: best[i] + 0.25 * (total[i] - best[i]) for i in best}
    ranked = _prefer_precise(sorted(scores, key=lambda i: -scores[i]), scores, places)
    if not ranked and demonyms:
        top = max(demonyms, key=lambda i: demonyms[i])
        return [_location_tag(places[top], [])]
    rest = sorted((i for i in found if i not in scores), key=lambda i: found[i][0].start)
    return [_location_tag(places[i], found[i]) for i in ranked + rest]


def event_date(text: str, event: list[Sentence], ref: date | None) -> str | None:
    """The day of the attack: the date nearest the attack word in the strongest sentence.
    A claim's or a statement's date ("said on Sunday") is when it was said: used last."""
    ranked = sorted(event, key=lambda s: (s.claim, -(s.evidence * s.weight)))
    candidates: list[tuple[bool, int, date]] = []
    for rank, s in enumerate(ranked):
        anchor = s.best[0] if s.best else s.start
        for d in sentence_dates(text, s, ref):
            if d.day is None or d.month_only:
                continue
            if ref is not None and not ref - timedelta(days=10) <= d.day <= ref + timedelta(days=1):
                continue
            said = _SAID_BEFORE.search(text, max(s.start, d.start - 30), d.start) is not None
            other_event = (
                _place_modifier(s.cues, d.start) < 1.0
            )  # "in retaliation for ... on Sunday"
            candidates.append((said or other_event, rank * 10_000 + abs(d.start - anchor), d.day))
    return min(candidates)[2].isoformat() if candidates else None


def weapon_tags(
    text: str, sentences: list[Sentence], event: list[Sentence], weapons: Mapping[str, Weapon]
) -> list[WeaponTag]:
    """Weapons named where the event is reported (anywhere, when there is no event)."""
    found: dict[str, list[Span]] = {}
    for s in event or sentences:
        for start, end, (kind, value) in s.cues:
            if kind == WEAPON:
                found.setdefault(str(value), []).append(Span(text[start:end], start, end))
    return [
        WeaponTag(id=wid, name=weapons[wid].name, mentions=spans) for wid, spans in found.items()
    ]


def _prefer_precise(
    ranked: list[int], scores: dict[int, float], places: Sequence[Place]
) -> list[int]:
    """A country or a sea is the scene only when nothing more precise is named in it
    (or, at sea, near it: "off Aden")."""
    if not ranked or places[ranked[0]].kind not in ("country", "sea"):
        return ranked
    top = places[ranked[0]]
    for i in ranked[1:]:
        place = places[i]
        inside = top.country is None or (place.kind != "country" and place.country == top.country)
        if place.country and inside and scores[i] >= 0.3 * scores[ranked[0]]:
            return [i, *(j for j in ranked if j != i)]
    return ranked


def _place_modifier(cues: list[Cue], at: int) -> float:
    """A place or a date after "in response to" / "vowed to" belongs to that other event,
    unless an attack verb (not a mere "killed") starts a new clause between them."""
    factor = 1.0
    for _start, end, (kind, value) in cues:
        if end > at:
            break
        if kind in (BACKREF, IRREALIS, AFTER):
            factor = 0.35
        elif kind == VERB and cast(float, value) > _HARM_STRENGTH:
            factor = 1.0
    return factor


def _location_tag(place: Place, mentions: list[Span]) -> LocationTag:
    return LocationTag(
        name=place.name, country=place.country, lat=place.lat, lon=place.lon, mentions=mentions
    )
