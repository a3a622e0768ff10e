"""The rule-based strike/militia classifier.

One regex pass finds every known term (groups, places, weapons, cue words);
the rest is arithmetic over those matches, sentence by sentence:

1. Each sentence gets an *attack evidence* score from its attack nouns and
   verbs, confirmed by military context and lowered by what says the attack
   is not this article's news: another sense of the word, a threat or plan
   ("vowed to strike"), a negation, a back-reference ("in retaliation for the
   attack"), a background time ("last month", a date weeks before
   publication) or another frame (a funeral, talks, an election).
2. The article is a strike report when its lead (title and first sentences,
   weighted by position) carries strong evidence.
3. Actor, type, place, date, casualties and militia roles are read from the
   sentences that report the event, the strongest first.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from newsingest.classify import lexicon
from newsingest.classify.casualties import find_casualties
from newsingest.classify.dates import TRIGGERS, DateMention, find_dates, reference_day
from newsingest.classify.gazetteer import Gazetteer, Militia, Place, Weapon
from newsingest.classify.lexicon import CASUALTY_VERBS
from newsingest.classify.matcher import TermMatcher, fold, term_key
from newsingest.classify.sentences import split_sentences
from newsingest.records import (
    Actor,
    LocationTag,
    MilitiaRole,
    MilitiaTag,
    Span,
    StrikeTag,
    StrikeType,
    Tags,
    WeaponTag,
)

VERSION = "rules-1.0.0"

# Payload kinds of the one matcher.
NOUN, VERB, OTHER_SENSE, MILITARY, DOMAIN, FRAME = "noun", "verb", "sense", "mil", "dom", "frame"
IRREALIS, BACKREF, NEGATION, BACKGROUND, ACTOR, CLAIM = "irr", "back", "neg", "bg", "actor", "claim"
MILITIA, PLACE, DEMONYM, WEAPON, KILLED = "militia", "place", "demonym", "weapon", "killed"
BLAME, DEFENCE, DATE = "blame", "defence", "date"

Payload = tuple[str, object]

THRESHOLD = 1.0
_TITLE_WEIGHT = 1.5
_POSITION_WEIGHTS = (1.3, 1.1, 0.9, 0.7, 0.5)
_LEAD_SENTENCES = len(_POSITION_WEIGHTS)
_SPECIFICITY = {"base": 1.0, "site": 1.0, "district": 1.0, "city": 0.9, "province": 0.7}
_SPECIFICITY_DEFAULT = 0.45  # countries and seas

# Short forms are matched case-sensitively on the raw text, apart from the trie.
_GROUP_WORDS = re.compile(
    r"[\s-]*(?:group|groups|fighters|militants|militia|militias|remnants|cells?|members|"
    r"commanders?|leaders?|jihadists|attacks?|positions|hideouts|targets|suspects|"
    r"operatives|affiliates?|loyalists|-linked|-affiliated|-claimed)\b"
)
_US = re.compile(r"\b(?:U\.S\.|US)(?![\w.])")
_AGENT_SUFFIX = re.compile(
    r"-(?:backed|aligned|linked|allied|supported|sponsored|affiliated|run|led|made|based|controlled|held)\b"
)
_BY_BEFORE = re.compile(
    r"\b(?:strikes?|attacks?|raids?|bombing|bombings|barrage|killed|wounded|hit|struck|targeted|"
    r"carried out|conducted|launched|fired|claimed|ordered|bombardment|shelling|drones?|"
    r"missiles?|rockets?|jets|warplanes|aircraft|operation) by (?:the |an? )?(?:[\w'-]+ ){0,2}$"
)
_TARGET_BEFORE = re.compile(
    r"\b(?:on|against|at|targeting|targeted|targets|toward|towards|hit|hits|hitting|struck|"
    r"strikes|striking|bombed|bombs|pounded|pounds|shelled|killed|killing|into|used by|"
    r"belonging to)"
    r" (?:the |an? |its |their )?(?:(?!(?:in|by|with|during|near|from|after) )[\w'-]+ ){0,2}$"
)
_BLAMED_BEFORE = re.compile(
    r"\b(?:blamed|blames|blaming|accused|accuses|accusing|attributed (?:it )?to|blamed on|"
    r"footprints\W{0,2} of|hallmarks\W{0,2} of)\W+(?:the\W+)?(?:[\w'-]+\W+){0,3}$"
)
_SPEECH_BETWEEN = re.compile(
    r"\b(?:said|says|told|reported|accused|blamed|called|condemned|denied|described|urged)\b"
)
_SELF_REPORT = re.compile(r"\b(?:said|says|claimed|claims|announced)\b.*\b(?:it|they)\b")
_PASSIVE_BETWEEN = re.compile(r"\b(?:was|were|been|being|is|are)\b")
# Between an actor and "killed" when it is the killer: "Israel's military said it had killed".
_ACTIVE_BETWEEN = re.compile(
    r"^(?:'s)? ?(?:(?:military|forces|army|troops|jets|warplanes|drones?|aircraft|navy|"
    r"air force) )?(?:(?:said|says|claimed|claims|announced)(?: [\w-]+){0,3}? (?:it|they) )?"
    r"(?:(?:has|had|have) )?$"
)
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
_SAID_BEFORE = re.compile(
    r"\b(?:said|says|announced|told|reported|added|stated|confirmed|claimed)"
    r"(?: \w+){0,2} (?:on|late on|early on|this|last)? ?$"
)
_STRIKE_FAMILY = frozenset({"strike", "strikes", "struck", "striking", "hit", "hits"})
_UNAMBIGUOUS_TYPES = frozenset({"airstrike", "drone_strike", "missile", "rocket", "artillery"})
_DETERMINERS = frozenset({"the", "this", "that", "these", "its", "their", "latest"})


def _is_definite(before: str) -> bool:
    """A definite reference just before an attack word: "the (US) strike", "Wednesday's raid"."""
    for word in before.split()[-3:]:
        if word in _DETERMINERS or word.endswith(("day's", "night's")):
            return True
    return False


_AT_BEFORE = re.compile(
    r"\b(?:at|on|against|toward|towards|into|targeting|hit|hitting|struck|striking)"
    r"(?: the| an?)? (?:[\w'-]+ ){0,1}$"
)
_FROM_BEFORE = re.compile(r"\bfrom (?:the |its )?(?:[\w'-]+ ){0,1}$")
_TARGET_AFTER = re.compile(
    r"^['’]?s? ?(?:[\w-]+ ){0,2}(?:commander|commanders|leader|leaders|"
    r"positions|facilities|bases?|headquarters|sites?|targets|depots?|patrols?|convoy|"
    r"officials?|official|official's|chief|figure|operative|cells?)\b"
    r"|^[\w ,'-]{0,40}\b(?:were|was) (?:killed|hit|struck|targeted|wounded)"
)
_TARGET_BEFORE_ROLE = re.compile(
    r"\b(?:on|against|targeting|targeted|hit|hitting|struck|striking|killed|killing|"
    r"commander (?:of|in)|commanders (?:of|in)|leader (?:of|in)|member (?:of|in)|members (?:of|in)|"
    r"positions of|facilities of|used by|belonging to|linked to|chief of|head of|"
    r"figure in|official (?:of|in)|fighters (?:of|from))"
    r" (?:the |an? |its |their )?(?:[\w'-]+ ){0,3}$"
)


@dataclass(slots=True)
class _Sentence:
    start: int
    end: int
    weight: float
    is_title: bool = False
    cues: list[tuple[int, int, Payload]] = field(default_factory=list)
    evidence: float = 0.0
    best: tuple[int, int] | None = None
    background: bool = False
    definite: bool = False
    claim: bool = False
    off_topic: bool = False
    """Cues of other news, or no military word at all."""
    """An attack word with a definite reference ("the strike", "Wednesday's attack")."""
    strike_type: StrikeType | None = None
    index: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    """How many cues of each kind the sentence holds."""
    dates: list[DateMention] | None = None
    """Dates in the sentence, found on first use (only sentences with a date word)."""


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    sentence: int


class RuleClassifier:
    """Strike/militia tagger over cleaned article text. Build once; ``classify`` is pure."""

    version = VERSION

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._militias = {m.id: m for m in gazetteer.militias}
        self._places = gazetteer.places
        self._weapons = {w.id: w for w in gazetteer.weapons}
        terms: dict[str, list[Payload]] = defaultdict(list)

        def add(words: Iterable[str], payload: Payload) -> None:
            for w in words:
                terms[w].append(payload)

        for noun, value in lexicon.ATTACK_NOUNS.items():
            terms[noun].append((NOUN, value))
        for verb, strength in lexicon.ATTACK_VERBS.items():
            terms[verb].append((VERB, strength))
        add(lexicon.OTHER_SENSES, (OTHER_SENSE, None))
        add(lexicon.MILITARY, (MILITARY, None))
        add(lexicon.OTHER_DOMAIN, (DOMAIN, None))
        add(lexicon.OTHER_FRAMES, (FRAME, None))
        add(lexicon.IRREALIS, (IRREALIS, None))
        add(lexicon.BACK_REFERENCE, (BACKREF, None))
        add(lexicon.NEGATION, (NEGATION, None))
        add(lexicon.BACKGROUND, (BACKGROUND, None))
        add(lexicon.CLAIMS, (CLAIM, None))
        add(lexicon.KILLED, (KILLED, None))
        add(lexicon.INJURED, (KILLED, None))  # a harm word: casualty figures may follow
        add(lexicon.BLAME, (BLAME, None))
        add(lexicon.DEFENCE, (DEFENCE, None))
        add(TRIGGERS, (DATE, None))
        for cue, actor in lexicon.ACTOR_CUES.items():
            terms[cue].append((ACTOR, actor))
        for militia in gazetteer.militias:
            add(militia.aliases, (MILITIA, militia.id))
        for index, place in enumerate(gazetteer.places):
            add(place.aliases, (PLACE, index))
            add(place.demonyms, (DEMONYM, index))
        for weapon in gazetteer.weapons:
            add(weapon.aliases, (WEAPON, weapon.id))
        self._embed_inner_words(terms, gazetteer)
        self._matcher: TermMatcher[Payload] = TermMatcher(terms)
        self._title_off_topic = False
        shorts = {s: m.id for m in gazetteer.militias for s in (*m.short, *m.acronyms)}
        self._short_ids = shorts
        self._acronyms = frozenset(a for m in gazetteer.militias for a in m.acronyms)
        # "US" (the country) rides along: lower-cased it would be the pronoun "us".
        forms = sorted([*shorts, "US", "U.S."], key=len, reverse=True)
        alternation = "|".join(re.escape(s) for s in forms)
        # No look-behind: a pattern that opens with literals lets the regex engine skip
        # ahead to their first letters; word starts are checked on each hit instead.
        self._short_re = re.compile(rf"(?:{alternation})(?!\w)")

    @staticmethod
    def _embed_inner_words(terms: dict[str, list[Payload]], gazetteer: Gazetteer) -> None:
        """A phrase inherits the weapon and military words inside it: the longest match hides
        them ("Iraqi warplanes" is an actor and a weapon, "Iraqi forces" military)."""
        weapon_words = {
            term_key(alias): w.id
            for w in gazetteer.weapons
            for alias in w.aliases
            if " " not in alias
        }
        military_words = {term_key(w) for w in lexicon.MILITARY if " " not in w}
        for term, payloads in terms.items():
            words = term_key(term).split()
            if len(words) < 2:
                continue
            for word in words:
                if word in weapon_words and (WEAPON, weapon_words[word]) not in payloads:
                    payloads.append((WEAPON, weapon_words[word]))
                if word in military_words and (MILITARY, None) not in payloads:
                    payloads.append((MILITARY, None))

    # --- entry point -----------------------------------------------------------------

    def classify(
        self, text: str, *, title: str | None = None, published_at: str | None = None
    ) -> Tags:
        ref = reference_day(published_at, text)
        sentences = self._sentences(text, title)
        title_only = self._title_sentence(text, title, sentences)
        folded = fold(text)
        militia_mentions = self._collect(text, folded, sentences)
        for s in sentences:
            self._score(text, folded, s, ref)
        title_evidence = self._score_title(title_only, ref) if title_only else None
        score = self._document_score(sentences, title_evidence)
        if title_evidence is not None and title_evidence < 0.3 and self._title_off_topic:
            score *= 0.7
        is_strike = score >= THRESHOLD
        confidence = 1.0 / (1.0 + math.exp(-3.0 * (score - THRESHOLD)))
        confidence = round(confidence if is_strike else 1.0 - confidence, 3)
        event = self._event_sentences(sentences) if is_strike else []
        actor, militia_actor = (
            self._actor(text, folded, sentences, event) if is_strike else (None, None)
        )
        roles = self._roles(text, folded, sentences, event, militia_mentions, actor, militia_actor)
        militias = [
            MilitiaTag(
                id=mid,
                name=self._militias[mid].name,
                role=roles.get(mid, "mentioned"),
                mentions=[Span(text[m.start : m.end], m.start, m.end) for m in mentions],
            )
            for mid, mentions in militia_mentions.items()
        ]
        evidence = [
            Span(text[s.best[0] : s.best[1]], s.best[0], s.best[1])
            for s in sorted(event, key=lambda s: -s.evidence * s.weight)[:3]
            if s.best is not None
        ]
        return Tags(
            strike=StrikeTag(
                is_strike=is_strike,
                confidence=confidence,
                type=self._strike_type(event, actor) if is_strike else None,
                actor=actor,
                evidence=evidence,
            ),
            militias=militias,
            locations=self._locations(text, folded, sentences, event),
            event_date=self._event_date(text, event, ref) if is_strike else None,
            casualties=find_casualties(
                text, [(s.start, s.end) for s in event if s.kinds.get(KILLED)]
            ),
            weapons=self._weapon_tags(text, sentences, event),
        )

    # --- sentences and cues ----------------------------------------------------------

    def _sentences(self, text: str, title: str | None) -> list[_Sentence]:
        spans = split_sentences(text)
        out: list[_Sentence] = []
        body_index = 0
        for i, (start, end) in enumerate(spans):
            if i == 0 and self._is_title_line(text, start, end, title):
                out.append(_Sentence(start, end, _TITLE_WEIGHT, is_title=True, index=-1))
                continue
            weight = (
                _POSITION_WEIGHTS[body_index]
                if body_index < _LEAD_SENTENCES
                else (0.3 if body_index < 10 else 0.15)
            )
            out.append(_Sentence(start, end, weight, index=body_index))
            body_index += 1
        return out

    @staticmethod
    def _is_title_line(text: str, start: int, end: int, title: str | None) -> bool:
        line = text[start:end]
        if title is not None:
            return term_key(line) == term_key(title)
        first_line_end = text.find("\n", start)
        whole_line = first_line_end == -1 or first_line_end >= end
        return whole_line and len(line) < 140 and line[-1:] not in ".!?\"”'’:" and "\n" in text

    def _title_sentence(
        self, text: str, title: str | None, sentences: list[_Sentence]
    ) -> str | None:
        """The title when it is not the first line of the text (scored apart, without spans)."""
        if not title or (sentences and sentences[0].is_title):
            return None
        return title

    def _collect(
        self, text: str, folded: str, sentences: list[_Sentence]
    ) -> dict[str, list[_Mention]]:
        """Attach every matched cue to its sentence; return the militia mentions."""
        starts = [s.start for s in sentences]
        mentions: dict[str, list[_Mention]] = {}
        si, count = 0, len(sentences)
        lookup = self._matcher.get
        for match in self._matcher.pattern.finditer(folded):
            payloads = lookup(match.group())
            if not payloads:
                continue
            start, end = match.span()
            while si < count and start >= sentences[si].end:
                si += 1  # matches come in order: walk the sentences along
            if si == count:
                break
            sentence = sentences[si]
            if start < sentence.start or end > sentence.end:
                continue
            cues = sentence.cues
            kinds = sentence.kinds
            for payload in payloads:
                cues.append((start, end, payload))
                kind = payload[0]
                kinds[kind] = kinds.get(kind, 0) + 1
                if kind == MILITIA:
                    mid = str(payload[1])
                    mentions.setdefault(mid, []).append(_Mention(start, end, si))
        self._add_short_forms(text, sentences, starts, mentions)
        return dict(sorted(mentions.items(), key=lambda kv: kv[1][0].start))

    def _add_short_forms(
        self,
        text: str,
        sentences: list[_Sentence],
        starts: list[int],
        mentions: dict[str, list[_Mention]],
    ) -> None:
        """Short forms (IS, KH, PMF) count only where the context supports them."""
        for m in self._short_re.finditer(text):
            if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_-"):
                continue
            si = bisect.bisect_right(starts, m.start()) - 1
            if si < 0 or m.end() > sentences[si].end:
                continue
            if m.group() in ("US", "U.S."):
                sentences[si].cues.append((m.start(), m.end(), (ACTOR, "us")))
                sentences[si].cues.sort(key=lambda c: c[0])
                sentences[si].kinds[ACTOR] = sentences[si].kinds.get(ACTOR, 0) + 1
                continue
            mid = self._short_ids[m.group()]
            line_start = text.rfind("\n", 0, m.start()) + 1
            line_end = text.find("\n", m.end())
            line = text[line_start : line_end if line_end != -1 else len(text)]
            if line.isupper():
                continue  # an all-caps headline: "IS" may be the verb
            named = mid in mentions or m.group() in self._acronyms
            in_parens = text[m.start() - 1 : m.start()] == "(" and named
            group_word = _GROUP_WORDS.match(text, m.end()) is not None
            if m.group() in ("IS", "Isis", "Isil"):
                # "IS" is also a verb: only after the full name, as "(IS)" or "IS fighters".
                supported = in_parens or (named and group_word)
            else:
                kinds = sentences[si].kinds
                military = sum(kinds.get(k, 0) for k in (MILITARY, MILITIA, WEAPON, NOUN))
                supported = named or group_word or military > 0
            if supported:
                mentions.setdefault(mid, []).append(_Mention(m.start(), m.end(), si))
                sentences[si].cues.append((m.start(), m.end(), (MILITIA, mid)))
                sentences[si].cues.sort(key=lambda c: c[0])
                sentences[si].kinds[MILITIA] = sentences[si].kinds.get(MILITIA, 0) + 1
        for mid in mentions:
            mentions[mid].sort(key=lambda mm: mm.start)

    # --- evidence --------------------------------------------------------------------

    def _score(self, text: str, folded: str, s: _Sentence, ref: date | None) -> None:
        cues = s.cues
        kinds: dict[str, int] = defaultdict(int, s.kinds)
        military = kinds[MILITARY] + kinds[WEAPON] + kinds[MILITIA]
        # Military words confirm that "strike" or "attack" means one; a country alone half does.
        context = 1.0 if military else (0.75 if kinds[ACTOR] else 0.5)
        has_noun = kinds[NOUN] + kinds[WEAPON] > 0
        best = 0.0
        best_span: tuple[int, int] | None = None
        realised = False
        type_votes: dict[StrikeType, float] = defaultdict(float)
        attack_cues = (
            [c for c in cues if c[2][0] in (NOUN, VERB, WEAPON)]
            if kinds[NOUN] + kinds[VERB] + kinds[WEAPON]
            else []
        )
        for start, end, (kind, value) in attack_cues:
            if kind == NOUN:
                strike_type, strength = value  # type: ignore[misc]
                unambiguous = strike_type in _UNAMBIGUOUS_TYPES or (
                    strike_type == "bombing" and strength >= 1
                )
                score = float(strength) * (1.0 if unambiguous else context)
                if strike_type:
                    type_votes[strike_type] += score
                if not s.definite:
                    s.definite = _is_definite(folded[max(s.start, start - 30) : start])
            elif kind == VERB:
                strength = float(value)  # type: ignore[arg-type]
                score = strength * (1.0 if military else 0.3) * (1.0 if has_noun else 0.5)
                realised = realised or score >= 0.3
            else:  # WEAPON
                type_votes[self._weapons[str(value)].strike_type] += 0.5
                score = 0.35
            if folded[start:end] in _STRIKE_FAMILY and _OTHER_SENSE_AFTER.match(folded, end, s.end):
                continue  # "strike a deal", "struck water agreements"
            if kinds[IRREALIS] + kinds[NEGATION] + kinds[BACKREF]:
                score *= self._local_modifier(cues, start)
            if score > best:
                best, best_span = score, (start, end)
        if best > 0 and realised and has_noun:
            best = min(1.2, best + 0.2)
        s.background = (
            kinds[BACKGROUND] > 0
            or self._old_date(text, s, ref)
            or (s.index >= 2 and self._tells_history(folded, s))
        )
        if s.background:
            s.definite = False
        s.claim = not s.background and (
            kinds[CLAIM] > 0
            or (kinds[BLAME] > 0 and (kinds[NOUN] + kinds[VERB] > 0 or s.index < 6))
        )
        if kinds[FRAME]:
            best *= 0.35
        if kinds[DOMAIN] >= 2 and military == 0:
            best *= 0.2
        elif kinds[DOMAIN] > military + 1:
            best *= 0.5
        if s.background:
            best *= 0.5
        if text[s.start : s.end].rstrip("\"”’' ").endswith("?"):
            best *= 0.3
        s.evidence = best
        s.best = best_span
        s.strike_type = max(type_votes, key=lambda t: type_votes[t]) if type_votes else None
        s.off_topic = kinds[FRAME] + kinds[IRREALIS] + kinds[DOMAIN] > 0 or military == 0

    @staticmethod
    def _local_modifier(cues: list[tuple[int, int, Payload]], at: int) -> float:
        """How much the words just before an attack word take away from it."""
        factor = 1.0
        seen: set[str] = set()
        for start, end, (kind, _) in cues:
            if end > at:
                break
            distance = at - end
            if (kind == IRREALIS and distance <= 60 and kind not in seen) or (
                kind == NEGATION and distance <= 25 and kind not in seen
            ):
                factor *= 0.25
            elif kind == BACKREF and distance <= 45 and kind not in seen:
                factor *= 0.35
            else:
                continue
            seen.add(kind)
        return factor

    @staticmethod
    def _dates(text: str, s: _Sentence, ref: date | None) -> list[DateMention]:
        if s.dates is None:
            has_trigger = bool(s.kinds.get(DATE))
            s.dates = find_dates(text, s.start, s.end, ref) if has_trigger else []
        return s.dates

    @staticmethod
    def _tells_history(folded: str, s: _Sentence) -> bool:
        """Perfect tense of an attack verb, not in reported speech ("said it had launched")."""
        if folded.find(" ha", s.start, s.end) == -1:
            return False  # no has/have/had: skip the regex
        for m in _PERFECT.finditer(folded, s.start, s.end):
            if not _REPORTED.search(folded, max(s.start, m.start() - 25), m.start()):
                return True
        return False

    @staticmethod
    def _place_modifier(cues: list[tuple[int, int, Payload]], at: int) -> float:
        """A place after "in response to" / "vowed to" belongs to that other event, unless
        an attack word starts a new clause between them."""
        factor = 1.0
        for start, end, (kind, _) in cues:
            if end > at:
                break
            if kind in (BACKREF, IRREALIS):
                factor = 0.35
            elif kind in (NOUN, VERB) and factor < 1.0 and start > 0:
                factor = 1.0 if kind == VERB else factor
        return factor

    @staticmethod
    def _old_date(text: str, s: _Sentence, ref: date | None) -> bool:
        """A date written out that lies more than a week before publication; without a
        publication date, any written-out date after the lead (the lead gives the news)."""
        if ref is None:
            return s.index > 1 and any(d.explicit for d in RuleClassifier._dates(text, s, None))
        return any(
            d.explicit
            and d.day is not None
            and d.day < ref - timedelta(days=7)
            # "in January" only when it frames the sentence; "in August 2021" always
            and (not d.month_only or d.has_year or d.start - s.start < 3)
            for d in RuleClassifier._dates(text, s, ref)
        )

    def _score_title(self, title: str, ref: date | None) -> float:
        folded = fold(title)
        s = _Sentence(0, len(title), _TITLE_WEIGHT, is_title=True)
        for start, end, payloads in self._matcher.find(folded):
            for payload in payloads:
                s.cues.append((start, end, payload))
                s.kinds[payload[0]] = s.kinds.get(payload[0], 0) + 1
        for m in _US.finditer(title):
            s.cues.append((m.start(), m.end(), (ACTOR, "us")))
            s.kinds[ACTOR] = s.kinds.get(ACTOR, 0) + 1
        s.cues.sort(key=lambda c: c[0])
        self._score(title, folded, s, ref)
        self._title_off_topic = s.off_topic
        return s.evidence

    @staticmethod
    def _document_score(sentences: list[_Sentence], title_evidence: float | None) -> float:
        lead = [s.evidence * s.weight for s in sentences[: _LEAD_SENTENCES + 1]]
        if title_evidence is not None:
            lead.append(title_evidence * _TITLE_WEIGHT)
        top = max(lead, default=0.0)
        rest = sorted((s.evidence for s in sentences[1:]), reverse=True)[:3]
        score = top + 0.15 * sum(rest)
        if sentences and sentences[0].is_title:
            headline: _Sentence | None = sentences[0]
        else:
            headline = None
        if headline is not None and headline.evidence < 0.3 and headline.off_topic:
            score *= 0.7  # the headline is about something else
        return score

    @staticmethod
    def _event_sentences(sentences: list[_Sentence]) -> list[_Sentence]:
        """Sentences that report the event itself: the lead and the strong, recent ones."""
        out = []
        for s in sentences:
            if s.background:
                continue
            if (
                s.claim
                or (s.evidence > 0 and s.index < 3)
                or (s.definite and s.evidence >= 0.3)
                or (s.evidence >= 0.9 and s.index < 10)
            ):
                out.append(s)
        return out

    # --- what the event is -----------------------------------------------------------

    @staticmethod
    def _strike_type(event: list[_Sentence], actor: Actor | None) -> StrikeType:
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

    def _actor(
        self, text: str, folded: str, sentences: list[_Sentence], event: list[_Sentence]
    ) -> tuple[Actor, str | None]:
        """Who struck: actor cues in the agent's position in the event sentences."""
        votes: dict[Actor, float] = defaultdict(float)
        militia_votes: dict[str, float] = defaultdict(float)
        for s in event:
            weight = s.weight * max(s.evidence, 0.2)
            agents = self._agents(text, folded, s)
            if "us" in agents and "coalition" in agents:
                agents.discard("us")
            for agent in agents:
                if agent.startswith("militia:"):
                    votes["militia"] += weight
                    militia_votes[agent.split(":", 1)[1]] += weight
                else:
                    votes[agent] += weight  # type: ignore[index]
        if not votes:
            operators = {
                self._weapons[str(c[2][1])].operator
                for s in event
                for c in s.cues
                if c[2][0] == WEAPON
            } - {None}
            if len(operators) == 1:
                return operators.pop(), None  # type: ignore[return-value]
            return "unknown", None
        if votes.get("us", 0) and votes.get("coalition", 0) >= 0.4 * votes["us"]:
            votes["coalition"] += votes.pop("us")  # the US with partners
        actor = max(votes, key=lambda a: votes[a])
        if votes[actor] < 0.15:
            return "unknown", None
        top_militia = max(militia_votes, key=lambda k: militia_votes[k]) if militia_votes else None
        return actor, top_militia if actor == "militia" else None

    def _agents(self, text: str, folded: str, s: _Sentence) -> set[str]:
        """Actors in the agent's place: "US drone strike", "Iran fired", "strike by Israel",
        "blamed Israel", "Hezbollah claimed responsibility", "Israel said it killed";
        not "attacks on US forces", "Hamas official killed in a strike"."""
        agents: set[str] = set()
        cues = s.cues
        claims_negated = False
        for i, (start, end, (kind, value)) in enumerate(cues):
            if kind == NEGATION and any(
                c[2][0] == CLAIM and 0 <= c[0] - end <= 30 for c in cues[i + 1 : i + 4]
            ):
                claims_negated = True
            if kind not in (ACTOR, MILITIA) or _AGENT_SUFFIX.match(folded, end):
                continue
            label = f"militia:{value}" if kind == MILITIA else str(value)
            before = folded[max(s.start, start - 40) : start]
            if _BY_BEFORE.search(before) or _BLAMED_BEFORE.search(before):
                agents.add(label)
                continue
            if self._acts(folded, end, cues[i + 1 : i + 8], claims_negated, before):
                agents.add(label)
        if "militia" in agents:
            named = [c[2][1] for c in cues if c[2][0] == MILITIA]
            agents.discard("militia")
            agents.add(f"militia:{named[0]}" if named else "militia")
        return agents

    @staticmethod
    def _acts(
        folded: str,
        end: int,
        following: list[tuple[int, int, Payload]],
        claims_negated: bool,
        before: str,
    ) -> bool:
        """Whether the actor ending at ``end`` does the attack named by the next cues."""
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
                # "US and British air strikes"; not "Iran's consulate, ... in an air strike"
                return (
                    start - end <= 20
                    and len(words) <= 3
                    and not re.search(r"[,;:()\"“”]", between)
                    and not _TARGET_BEFORE.search(before)
                )
            if kind == VERB:
                if _TARGET_BEFORE.search(before) or _PASSIVE_BETWEEN.search(between):
                    return False
                return not _SPEECH_BETWEEN.search(between) or bool(_SELF_REPORT.search(between))
        return False

    def _roles(
        self,
        text: str,
        folded: str,
        sentences: list[_Sentence],
        event: list[_Sentence],
        mentions: dict[str, list[_Mention]],
        actor: Actor | None,
        militia_actor: str | None,
    ) -> dict[str, MilitiaRole]:
        """Target where a recent sentence about the attack puts the group on the receiving
        end ("strike on X", "X commander killed"); perpetrator when it is the agent."""
        roles: dict[str, MilitiaRole] = {}
        if actor is None:
            return roles
        event_ids = {id(s) for s in event}
        for mid, found in mentions.items():
            if mid == militia_actor:
                roles[mid] = "perpetrator"
                continue
            for m in found:
                s = sentences[m.sentence]
                if s.background:
                    continue
                about_attack = id(s) in event_ids or (
                    s.kinds.get(KILLED) and not s.kinds.get(BACKREF)
                )
                if not about_attack:
                    continue
                before = folded[max(s.start, m.start - 60) : m.start]
                after = folded[m.end : min(s.end, m.end + 60)]
                if _TARGET_BEFORE_ROLE.search(before) or _TARGET_AFTER.match(after):
                    roles[mid] = "target"
                    break
        return roles

    # --- where, when, with what ------------------------------------------------------

    def _locations(
        self, text: str, folded: str, sentences: list[_Sentence], event: list[_Sentence]
    ) -> list[LocationTag]:
        """Places named, the scene of the event first (most specific place where the
        strongest sentences put the attack), then the others in order of mention."""
        best: dict[int, float] = defaultdict(float)
        total: dict[int, float] = defaultdict(float)
        found: dict[int, list[Span]] = {}
        demonyms: dict[int, float] = defaultdict(float)
        pool = event or [s for s in sentences[: _LEAD_SENTENCES + 1] if not s.background]
        pool_ids = {id(s) for s in pool}
        for s in sentences:
            in_pool = id(s) in pool_ids
            for start, end, (kind, value) in s.cues:
                if kind == DEMONYM and in_pool:
                    demonyms[int(value)] += s.weight  # type: ignore[call-overload]
                if kind != PLACE:
                    continue
                index = int(value)  # type: ignore[call-overload]
                if _AGENT_SUFFIX.match(folded, end):
                    continue
                found.setdefault(index, []).append(Span(text[start:end], start, end))
                if not in_pool:
                    continue
                place = self._places[index]
                weight = s.weight * max(s.evidence, 0.2)
                weight *= _SPECIFICITY.get(place.kind, _SPECIFICITY_DEFAULT)
                weight *= self._place_modifier(s.cues, start)
                if _FROM_BEFORE.search(folded, max(s.start, start - 25), start):
                    weight *= 0.3  # where the attack came from
                elif _AT_BEFORE.search(folded, max(s.start, start - 25), start):
                    weight *= 1.3  # what it hit
                best[index] = max(best[index], weight)
                total[index] += weight
        scores = {i: best[i] + 0.25 * (total[i] - best[i]) for i in best}
        ranked = sorted(scores, key=lambda i: -scores[i])
        if ranked and self._places[ranked[0]].kind in ("country", "sea"):
            # A country or a sea is the scene only when nothing more precise is named in it
            # (or, at sea, near it: "off Aden").
            top = self._places[ranked[0]]
            precise = [
                i
                for i in ranked[1:]
                if self._places[i].country
                and (
                    top.country is None
                    or (
                        self._places[i].kind != "country" and self._places[i].country == top.country
                    )
                )
                and scores[i] >= 0.3 * scores[ranked[0]]
            ]
            if precise:
                ranked.remove(precise[0])
                ranked.insert(0, precise[0])
        if not ranked and demonyms:
            top = max(demonyms, key=lambda i: demonyms[i])
            return [self._location_tag(self._places[top], [])]
        rest = sorted((i for i in found if i not in scores), key=lambda i: found[i][0].start)
        return [self._location_tag(self._places[i], found[i]) for i in ranked + rest]

    @staticmethod
    def _location_tag(place: Place, mentions: list[Span]) -> LocationTag:
        return LocationTag(
            name=place.name, country=place.country, lat=place.lat, lon=place.lon, mentions=mentions
        )

    @staticmethod
    def _event_date(text: str, event: list[_Sentence], ref: date | None) -> str | None:
        """The day of the attack: the date nearest the attack word in the strongest sentence.
        A claim's or a statement's date ("said on Sunday") is when it was said: used last."""
        ranked = sorted(event, key=lambda s: (s.claim, -(s.evidence * s.weight)))
        candidates: list[tuple[bool, int, date]] = []
        for rank, s in enumerate(ranked):
            anchor = s.best[0] if s.best else s.start
            for d in RuleClassifier._dates(text, s, ref):
                if d.day is None or d.month_only:
                    continue
                if ref is not None and not ref - timedelta(days=10) <= d.day <= ref + timedelta(days=1):
                    continue
                said = _SAID_BEFORE.search(text, max(s.start, d.start - 30), d.start) is not None
                candidates.append((said, rank * 10_000 + abs(d.start - anchor), d.day))
        return min(candidates)[2].isoformat() if candidates else None

    def _weapon_tags(
        self, text: str, sentences: list[_Sentence], event: list[_Sentence]
    ) -> list[WeaponTag]:
        pool = event or sentences
        found: dict[str, list[Span]] = {}
        for s in pool:
            for start, end, (kind, value) in s.cues:
                if kind == WEAPON:
                    found.setdefault(str(value), []).append(Span(text[start:end], start, end))
        return [self._weapon_tag(self._weapons[wid], spans) for wid, spans in found.items()]

    @staticmethod
    def _weapon_tag(weapon: Weapon, mentions: list[Span]) -> WeaponTag:
        return WeaponTag(id=weapon.id, name=weapon.name, mentions=mentions)


def militia_ids(gazetteer: Gazetteer) -> frozenset[str]:
    return frozenset(m.id for m in gazetteer.militias)


__all__ = ["VERSION", "Militia", "RuleClassifier", "militia_ids"]
