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
    DOMAIN,
    IRREALIS,
    LEAD_SENTENCES,
    MILITARY,
    MILITIA,
    NOUN,
    PLACE,
    VERB,
    WEAPON,
    Sentence,
)
from newsingest.classify.evidence import in_other_event, may_write_out_a_date, sentence_dates
from newsingest.classify.gazetteer import Place, Weapon
from newsingest.records import Actor, LocationTag, Span, StrikeType, WeaponTag

_SPECIFICITY = {"base": 1.0, "site": 1.0, "district": 1.0, "city": 0.9, "province": 0.7}
_SPECIFICITY_DEFAULT = 0.45  # countries and seas
_AT_BEFORE = re.compile(
    r"\b(?:at|on|against|toward|towards|into|targeting|hit|hitting|struck|striking)"
    r"(?: the| an?)? (?:[\w'-]+ ){0,1}$"
)
# A wire dateline names where the reporter files from, not the scene: "DUBAI, June 13 -",
# "WASHINGTON (AP) -", "ADEN, Yemen -".
_DATELINE = re.compile(
    r"[A-Z][A-Z'.]+(?:[ -][A-Z][A-Z'.]+){0,3}(?:, [A-Z][\w.' -]{1,30}?)?"
    r"(?:,? [A-Z][a-z]{2,8}\.? [0-3]?\d)?(?: \([A-Za-z .]{1,20}\))? ?[-–—]{1,2} "
)
_DATELINE_WEIGHT = 0.25
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
    best: dict[int, float] = {}
    total: dict[int, float] = {}
    found: dict[int, list[Span]] = {}
    demonyms: dict[int, float] = defaultdict(float)
    pool = event or [s for s in sentences[: LEAD_SENTENCES + 1] if not s.background]
    pool_ids = {id(s) for s in pool}
    dateline_end = _dateline_end(text, sentences)
    for s in sentences:
        kinds = s.kinds
        if PLACE not in kinds and DEMONYM not in kinds:
            continue  # most sentences name no place: skip their cues
        in_pool = id(s) in pool_ids
        sentence_weight = s.weight * max(s.evidence, 0.2)
        for start, end, (kind, value) in s.cues:
            if kind != PLACE:
                if kind == DEMONYM and in_pool:
                    demonyms[cast(int, value)] += s.weight
                continue
            if folded.startswith("-", end) and AGENT_SUFFIX.match(folded, end):
                continue  # "Iran-backed": the regex only where its hyphen is
            index = cast(int, value)
            span = Span(text[start:end], start, end)
            if index in found:
                found[index].append(span)
            else:
                found[index] = [span]
            if not in_pool:
                continue
            weight = sentence_weight * _SPECIFICITY.get(places[index].kind, _SPECIFICITY_DEFAULT)
            modifier = _place_modifier(s, start)
            weight *= modifier
            window = max(s.start, start - 25)
            if folded.find("from ", window, start) != -1 and _FROM_BEFORE.search(
                folded, window, start
            ):
                weight *= 0.3  # where the attack came from
            elif modifier == 1.0 and _AT_BEFORE.search(folded, window, start):
                weight *= 1.3  # what it hit
            if start < dateline_end:
                weight *= _DATELINE_WEIGHT
            if index in best:
                if weight > best[index]:
                    best[index] = weight
                total[index] += weight
            else:
                best[index] = total[index] = weight
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
        if ref is None and not may_write_out_a_date(text, s):
            continue  # without a reference day only dates written out are read
        anchor = s.best[0] if s.best else s.start
        for d in sentence_dates(text, s, ref):
            if d.day is None or d.month_only:
                continue
            if ref is not None and not ref - timedelta(days=10) <= d.day <= ref + timedelta(days=1):
                continue
            said = _SAID_BEFORE.search(text, max(s.start, d.start - 30), d.start) is not None
            other_event = _place_modifier(s, d.start) < 1.0  # "in retaliation for ... on Sunday"
            candidates.append((said or other_event, rank * 10_000 + abs(d.start - anchor), d.day))
    return min(candidates)[2].isoformat() if candidates else None


def weapon_tags(
    text: str, sentences: list[Sentence], event: list[Sentence], weapons: Mapping[str, Weapon]
) -> list[WeaponTag]:
    """Weapons named in the article: first those of the sentences that report the event, then
    the others named in war news (a sentence with a military word, an armed group or an attack
    word), never those of other news ("drone deliveries to customers")."""
    event_ids = {id(s) for s in event}
    found: dict[str, list[Span]] = {}
    in_event: dict[str, int] = {}
    for s in sentences:
        kinds = s.kinds
        if WEAPON not in kinds:
            continue
        of_event = id(s) in event_ids
        if not of_event:
            armed = kinds.get(MILITARY, 0) + kinds.get(MILITIA, 0)
            if not (armed or NOUN in kinds or VERB in kinds) or kinds.get(DOMAIN, 0) > armed:
                continue
        for start, end, (kind, value) in s.cues:
            if kind == WEAPON:
                wid = str(value)
                span = Span(text[start:end], start, end)
                if wid in found:
                    found[wid].append(span)
                else:
                    found[wid] = [span]
                if of_event and wid not in in_event:
                    in_event[wid] = start
    order = sorted(found, key=lambda w: (w not in in_event, in_event.get(w, found[w][0].start)))
    return [WeaponTag(id=wid, name=weapons[wid].name, mentions=found[wid]) for wid in order]


def _prefer_precise(
    ranked: list[int], scores: dict[int, float], places: Sequence[Place]
) -> list[int]:
    """A country or a sea is the scene only when nothing more precise is named in it
    (or, at sea, near it: "60 miles southeast of Aden": an attack at sea belongs to the
    nearest country named where the event is told)."""
    if not ranked or places[ranked[0]].kind not in ("country", "sea"):
        return ranked
    top = places[ranked[0]]
    share = 0.1 if top.kind == "sea" else 0.3
    for i in ranked[1:]:
        place = places[i]
        inside = top.country is None or (place.kind != "country" and place.country == top.country)
        if place.country and inside and scores[i] >= share * scores[ranked[0]]:
            return [i, *(j for j in ranked if j != i)]
    return ranked


def _dateline_end(text: str, sentences: list[Sentence]) -> int:
    """Where the dateline of the first body sentence ends (-1 when it has none)."""
    first = next((s for s in sentences if s.index == 0), None)
    if first is None or not text[first.start : first.start + 2].isupper():
        return -1
    m = _DATELINE.match(text, first.start, first.end)
    return m.end() if m else -1


def _place_modifier(s: Sentence, at: int) -> float:
    """A place or a date after "in response to" / "vowed to" belongs to that other event."""
    return 0.35 if in_other_event(s, at, (BACKREF, IRREALIS, AFTER)) else 1.0


def _location_tag(place: Place, mentions: list[Span]) -> LocationTag:
    return LocationTag(
        name=place.name, country=place.country, lat=place.lat, lon=place.lon, mentions=mentions
    )
