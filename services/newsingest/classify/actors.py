"""Who struck whom: the actor of the attack and the role of each armed group named.

The actor is read from cues in the agent's place in the sentences that report
the event: "US drone strike", "Iran fired", "strike by Israel", "blamed Israel",
"Hezbollah claimed responsibility", "Israel said it had killed" - and never
"attacks on US forces" or "a Hamas official killed in a strike".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

from newsingest.classify.cues import (
    ACTOR,
    AFTER,
    BACKREF,
    CLAIM,
    DEFENCE,
    KILLED,
    MILITIA,
    NEGATION,
    NOUN,
    RESPONSE,
    VERB,
    WEAPON,
    Cue,
    Mention,
    Sentence,
)
from newsingest.classify.evidence import in_other_event
from newsingest.classify.lexicon import CASUALTY_VERBS
from newsingest.records import Actor, MilitiaRole

# "Iran-backed militia": the actor word only describes the group.
AGENT_SUFFIX = re.compile(
    r"-(?:backed|aligned|linked|allied|supported|sponsored|affiliated|run|led|made|based|"
    r"controlled|held)\b"
)
_BY_BEFORE = re.compile(
    r"\b(?:strikes?|attacks?|raids?|bombing|bombings|barrage|killed|wounded|hit|struck|targeted|"
    r"carried out|conducted|launched|fired|claimed|ordered|bombardment|shelling|drones?|"
    r"missiles?|rockets?|jets|warplanes|aircraft|operation) by (?:the |an? )?(?:[\w'-]+ ){0,2}$"
)
_BLAMED_BEFORE = re.compile(
    r"\b(?:blamed|blames|blaming|accused|accuses|accusing|attributed (?:it )?to|blamed on|"
    r"footprints\W{0,2} of|hallmarks\W{0,2} of)\W+(?:the\W+)?(?:[\w'-]+\W+){0,3}$"
)
# Words that make what follows the object of an attack: "strikes on US forces".
_TARGET_BEFORE = re.compile(
    r"\b(?:on|against|at|targeting|targeted|targets|toward|towards|hit|hits|hitting|struck|"
    r"strikes|striking|bombed|bombs|pounded|pounds|shelled|killed|killing|into|used by|"
    r"belonging to)"
    r" (?:the |an? |its |their )?(?:(?!(?:in|by|with|during|near|from|after) )[\w'-]+ ){0,2}$"
)
_SPEECH_BETWEEN = re.compile(
    r"\b(?:said|says|told|reported|accused|blamed|called|condemned|denied|described|urged)\b"
)
_SELF_REPORT = re.compile(
    r"\b(?:said|says|claimed|claims|announced)\b.*\b(?:it|they|its|their|the group)\b"
)
# What may stand between "after" and the actor of the attack it introduces: "after a Houthi".
_OPENS_CLAUSE = re.compile(r" (?:(?:a|an|the|its|their|another|an?other) )?")
_PASSIVE_BETWEEN = re.compile(r"\b(?:was|were|been|being|is|are)\b")
_CLAUSE_PUNCTUATION = re.compile(r"[,;:()\"“”]")
# Between an actor and "killed" when it is the killer: "Israel's military said it had killed".
_ACTIVE_BETWEEN = re.compile(
    r"^(?:'s)? ?(?:(?:military|forces|army|troops|jets|warplanes|drones?|aircraft|navy|"
    r"air force) )?(?:(?:said|says|claimed|claims|announced)(?: [\w-]+){0,3}? (?:it|they) )?"
    r"(?:(?:has|had|have) )?$"
)
# A group on the receiving end: "strike on X", "commander of X", "X positions were hit".
_TARGET_AFTER = re.compile(
    r"^['’]?s? ?(?:[\w-]+ ){0,2}(?:commander|commanders|leader|leaders|"
    r"positions|facilities|bases?|headquarters|sites?|targets|depots?|patrols?|convoy|"
    r"officials?|official|official's|chief|figure|operative|cells?|hideouts?|camps?|"
    r"strongholds?|shelters?|tunnels?|checkpoints?|posts?|warehouses?)\b"
    r"|^[\w ,'-]{0,40}\b(?:were|was) (?:killed|hit|struck|targeted|wounded)"
)
# A group telling of a strike on itself: "the PMF said a strike hit its positions", "said
# two of its fighters were killed".
_SELF_AS_TARGET = re.compile(
    r"[^.;]{0,80}?\b(?:said|says|reported|announced|confirmed|stated)\b[^.;]{0,100}?"
    r"(?:\b(?:hit|struck|targeted|bombed|shelled|pounded|killed|wounded|destroyed)"
    r" (?:[\w-]+ ){0,2}?(?:its|their)\b"
    r"|\b(?:its|their) (?:[\w'-]+ ){0,5}?(?:was|were|had been|have been|has been)"
    r" (?:killed|hit|struck|targeted|wounded|destroyed|bombed|shelled))"
)
_TARGET_BEFORE_ROLE = re.compile(
    r"\b(?:on|against|targeting|targeted|hit|hitting|struck|striking|killed|killing|"
    r"bombed|bombing|shelled|shelling|pounded|pounding|raided|raiding|attacked|attacking|"
    r"ambushed|"
    r"commanders? (?:of|in)|leader (?:of|in)|members? (?:of|in)|"
    r"positions of|facilities of|used by|belonging to|linked to|chief of|head of|"
    r"figure in|official (?:of|in)|fighters (?:of|from))"
    r" (?:the |an? |its |their )?(?:[\w'-]+ ){0,3}$"
)


def find_actor(
    folded: str, event: list[Sentence], operators: Mapping[str, Actor | None]
) -> tuple[Actor, str | None]:
    """The actor, and the id of the group when the actor is a militia."""
    votes: dict[str, float] = defaultdict(float)
    militia_votes: dict[str, float] = defaultdict(float)
    for s in event:
        weight = s.weight * max(s.evidence, 0.2)
        if s.index > 0 and s.kinds.get(RESPONSE):
            weight *= 0.3  # "the army responded with artillery fire": a reply to the news
        agents = _agents(folded, s)
        if "us" in agents and "coalition" in agents:
            del agents["us"]  # "US and British jets": one coalition
        for agent in agents:
            if agent.startswith("militia:"):
                votes["militia"] += weight
                militia_votes[agent.split(":", 1)[1]] += weight
            else:
                votes[agent] += weight
    if not votes:
        # An AC-130 or a Tomahawk tells who fired it even when no one is named.
        used = {operators[str(c[2][1])] for s in event for c in s.cues if c[2][0] == WEAPON}
        known = [a for a in used if a is not None]
        return (known[0] if len(known) == 1 else "unknown"), None
    if votes.get("us", 0) and votes.get("coalition", 0) >= 0.4 * votes["us"]:
        votes["coalition"] += votes.pop("us")  # the US with partners
    actor = max(votes, key=lambda a: votes[a])
    if votes[actor] < 0.15:
        return "unknown", None
    group = max(militia_votes, key=lambda k: militia_votes[k]) if militia_votes else None
    return _as_actor(actor), group if actor == "militia" else None


def find_roles(
    folded: str,
    sentences: list[Sentence],
    event: list[Sentence],
    mentions: Mapping[str, list[Mention]],
    perpetrator: str | None,
) -> dict[str, MilitiaRole]:
    """Target where a recent sentence about the attack puts the group on the receiving end;
    perpetrator when it is the actor; the others are only mentioned."""
    roles: dict[str, MilitiaRole] = {}
    event_ids = {id(s) for s in event}
    for mid, found in mentions.items():
        if mid == perpetrator:
            roles[mid] = "perpetrator"
            continue
        for m in found:
            s = sentences[m.sentence]
            if s.background:
                continue
            harm = bool(s.kinds.get(KILLED)) and not (s.kinds.get(BACKREF) or s.kinds.get(AFTER))
            if id(s) not in event_ids and not harm:
                continue
            before = folded[max(s.start, m.start - 60) : m.start]
            after = folded[m.end : min(s.end, m.end + 60)]
            if (
                _TARGET_BEFORE_ROLE.search(before)
                or _TARGET_AFTER.match(after)
                or _tells_of_a_strike_on_itself(folded, m.end, min(s.end, m.end + 240))
            ):
                roles[mid] = "target"
                break
    return roles


def _tells_of_a_strike_on_itself(folded: str, start: int, end: int) -> bool:
    if folded.find(" its ", start, end) == -1 and folded.find(" their ", start, end) == -1:
        return False  # the regex, only where it can match
    return _SELF_AS_TARGET.match(folded, start, end) is not None


def _by_or_blamed(before: str) -> bool:
    """ "strikes by X", "blamed X": the regexes, only where their words are (most actor cues
    have neither before them)."""
    if " by " in before and _BY_BEFORE.search(before):
        return True
    blame = "blam" in before or "accus" in before or "attribut" in before
    blame = blame or "footprints" in before or "hallmarks" in before
    return blame and _BLAMED_BEFORE.search(before) is not None


def _as_actor(value: str) -> Actor:
    actors: tuple[Actor, ...] = ("us", "israel", "coalition", "iraq", "iran", "militia", "other")
    return next((a for a in actors if a == value), "unknown")


def _agents(folded: str, s: Sentence) -> dict[str, None]:
    """Actor cues of the sentence in the agent's place ("militia:<id>" for a named group), in
    order of appearance."""
    agents: dict[str, None] = {}
    elsewhere: dict[str, None] = {}  # agents of another event told in the sentence
    cues = s.cues
    claims_negated = False
    opener = -1  # end of the latest "after" / "in response to"
    has_claim = CLAIM in s.kinds
    for i, (start, end, (kind, value)) in enumerate(cues):
        if kind not in (ACTOR, MILITIA):
            if kind == NEGATION and has_claim:
                for c in cues[i + 1 : i + 4]:
                    if c[2][0] == CLAIM and 0 <= c[0] - end <= 30:
                        claims_negated = True  # "no group claimed the attack"
                        break
            elif kind in (AFTER, BACKREF):
                opener = end
            continue
        if folded.startswith("-", end) and AGENT_SUFFIX.match(folded, end):
            continue  # "Iran-backed"; the regex only where its hyphen is
        label = f"militia:{value}" if kind == MILITIA else str(value)
        before = folded[max(s.start, start - 40) : start]
        if _by_or_blamed(before):
            # "in retaliation for an attack blamed on X": X struck that other attack
            if not in_other_event(s, start):
                agents[label] = None
        elif _acts(folded, end, cues[i + 1 : i + 8], claims_negated, before):
            # "struck the port, a day after a Houthi missile landed": the Houthis did that
            in_clause = opener != -1 and _OPENS_CLAUSE.fullmatch(folded, opener, start)
            (elsewhere if in_clause else agents)[label] = None
    if not agents:
        agents = elsewhere  # the headline's "after" is often the news itself
    if "militia" in agents:
        # "militants" in a sentence that names the group: that group.
        named = [c[2][1] for c in cues if c[2][0] == MILITIA]
        del agents["militia"]
        agents[f"militia:{named[0]}" if named else "militia"] = None
    return agents


def _acts(folded: str, end: int, following: list[Cue], claims_negated: bool, before: str) -> bool:
    """Whether the actor ending at ``end`` does the attack named by the cues after it."""
    for start, stop, (kind, _) in following:
        if start < end:
            continue
        between = folded[end:start]
        if start - end > 45 and not (
            start - end <= 90 and kind in (VERB, CLAIM) and _SELF_REPORT.search(between)
        ):
            return False
        if kind == DEFENCE:
            return False  # "Israel intercepts a Houthi missile"
        if kind == CLAIM:
            return not claims_negated
        if kind == VERB and folded[start:stop] in CASUALTY_VERBS:
            # Active "Israel said it had killed", never "officials (were) killed".
            return _ACTIVE_BETWEEN.match(between) is not None
        if kind in (NOUN, WEAPON):
            words = between.split()
            if start - end <= 12 and len(words) <= 1:
                # "US drone strike", "Houthi missile"; not "US strikes Houthi missiles"
                return not _TARGET_BEFORE.search(before)
            # "US and British air strikes"; not "Iran's consulate, ... in an air strike",
            # nor "Central Command said two missiles were fired"
            return (
                start - end <= 20
                and len(words) <= 3
                and not _CLAUSE_PUNCTUATION.search(between)
                and not _TARGET_BEFORE.search(before)
                and (not _SPEECH_BETWEEN.search(between) or bool(_SELF_REPORT.search(between)))
            )
        if kind == VERB:
            if _TARGET_BEFORE.search(before) or _PASSIVE_BETWEEN.search(between):
                return False
            return not _SPEECH_BETWEEN.search(between) or bool(_SELF_REPORT.search(between))
    return False
