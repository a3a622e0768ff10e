"""Cues: what the one matcher pass finds in a text, filed under the sentence it is in.

Every gazetteer name and lexicon word becomes a term of one
:class:`~newsingest.classify.matcher.TermMatcher`; a term carries one or more
payloads ``(kind, value)``: ``("militia", "kataib_hezbollah")``,
``("noun", ("drone_strike", 1.0))``, ``("irr", None)``... Short forms that
depend on letter case ("IS", "KH", "US") are found by a second, case-sensitive
regex and admitted only where the context supports them.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from newsingest.classify import lexicon
from newsingest.classify.dates import TRIGGERS, DateMention
from newsingest.classify.gazetteer import Gazetteer
from newsingest.classify.matcher import ARABIC, ProcliticMatcher, TermMatcher, fold, term_key
from newsingest.classify.sentences import split_sentences
from newsingest.records import StrikeType

_NounValue = tuple[StrikeType | None, float]

# Payload kinds.
NOUN, VERB, OTHER_SENSE, MILITARY, DOMAIN, FRAME = "noun", "verb", "sense", "mil", "dom", "frame"
IRREALIS, BACKREF, NEGATION, BACKGROUND, ACTOR, CLAIM = "irr", "back", "neg", "bg", "actor", "claim"
MILITIA, PLACE, DEMONYM, WEAPON, KILLED = "militia", "place", "demonym", "weapon", "killed"
BLAME, DEFENCE, DATE, RESPONSE, AFTER = "blame", "defence", "date", "response", "after"

Payload = tuple[str, object]
Cue = tuple[int, int, Payload]
"""(start, end, payload): a matched term in the text."""

TITLE_WEIGHT = 1.5
POSITION_WEIGHTS = (1.3, 1.1, 0.9, 0.7, 0.5)
LEAD_SENTENCES = len(POSITION_WEIGHTS)

# After a short form, words that show it names a group: "IS fighters", "KH positions".
_GROUP_WORDS = re.compile(
    r"[\s-]*(?:group|groups|fighters|militants|militia|militias|remnants|cells?|members|"
    r"commanders?|leaders?|jihadists|attacks?|positions|hideouts|targets|suspects|"
    r"operatives|affiliates?|loyalists|-linked|-affiliated|-claimed)\b"
)
_VERB_LIKE_SHORT = frozenset({"IS", "Isis", "Isil"})
_US_FORMS = frozenset({"US", "U.S."})
_US: Payload = (ACTOR, "us")
_cue_start = operator.itemgetter(0)


@dataclass(slots=True)
class Sentence:
    """A sentence of the text (or the title given apart) with its cues and scores."""

    start: int
    end: int
    weight: float
    """How much its position counts: the title and the first sentences carry the news."""
    index: int
    """Position among the body sentences (0 = the first); -1 for the title."""
    is_title: bool = False
    cues: list[Cue] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    """How many cues of each kind it holds."""
    dates: list[DateMention] | None = None
    """Dates in it, found on first use."""
    # Filled in by newsingest.classify.evidence:
    evidence: float = 0.0
    """How strongly it reports an attack that happened (0 = not at all)."""
    best: tuple[int, int] | None = None
    """The span of its strongest attack word."""
    strike_type: StrikeType | None = None
    background: bool = False
    """It tells of an earlier event ("last month", "in 2019", "rockets have struck...")."""
    definite: bool = False
    """An attack word with a definite reference ("the strike", "Wednesday's attack")."""
    claim: bool = False
    """A claim of responsibility or a blame for the attack."""
    off_topic: bool = False
    """Cues of other news, or no military word at all."""

    def add(self, start: int, end: int, payload: Payload) -> None:
        self.cues.append((start, end, payload))
        self.kinds[payload[0]] = self.kinds.get(payload[0], 0) + 1


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    sentence: int


class CueFinder:
    """Builds the matcher once from the lexicon and the gazetteers; finds cues in texts."""

    def __init__(self, gazetteer: Gazetteer) -> None:
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
        add(lexicon.RESPONSE, (RESPONSE, None))
        add(lexicon.AFTER, (AFTER, None))
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
        _embed_inner_words(terms, gazetteer)
        arabic = {t: terms.pop(t) for t in [t for t in terms if ARABIC.search(t)]}
        self._matcher: TermMatcher[Payload] = TermMatcher(terms)
        self._arabic: ProcliticMatcher[Payload] = ProcliticMatcher(arabic)
        self._short_ids = {s: m.id for m in gazetteer.militias for s in (*m.short, *m.acronyms)}
        self._acronyms = frozenset(a for m in gazetteer.militias for a in m.acronyms)
        # "US" (the country) rides along: lower-cased it would be the pronoun "us". No
        # look-behind: a pattern that opens with literals lets the regex engine skip ahead to
        # their first letters; the word start is checked on each hit instead.
        forms = sorted([*self._short_ids, *_US_FORMS], key=len, reverse=True)
        self._short_re = re.compile(rf"(?:{'|'.join(map(re.escape, forms))})(?!\w)")

    def sentences(self, text: str, title: str | None) -> list[Sentence]:
        """The sentences of ``text``; the first line is the title when it repeats ``title``
        (or, with no title given, when it looks like a headline)."""
        out: list[Sentence] = []
        body = 0
        for i, (start, end) in enumerate(split_sentences(text)):
            if i == 0 and _is_title_line(text, start, end, title):
                out.append(Sentence(start, end, TITLE_WEIGHT, -1, is_title=True))
                continue
            out.append(Sentence(start, end, _position_weight(body), body))
            body += 1
        return out

    def collect(
        self, text: str, folded: str, sentences: list[Sentence]
    ) -> dict[str, list[Mention]]:
        """File every cue of ``text`` under its sentence; return the militia mentions by id,
        in order of first mention."""
        mentions: dict[str, list[Mention]] = {}
        si, count = -1, len(sentences)
        s_start = s_end = -1
        cues: list[Cue] = []
        kinds: dict[str, int] = {}
        table, lookup = self._matcher.table, self._matcher.get
        for found, start, end in self._matcher.spans(folded):
            payloads = table.get(found) or lookup(found)
            if not payloads:
                continue
            if start >= s_end:  # matches come in order: walk the sentences along
                si += 1
                while si < count and start >= sentences[si].end:
                    si += 1
                if si >= count:
                    break
                sentence = sentences[si]
                s_start, s_end = sentence.start, sentence.end
                cues, kinds = sentence.cues, sentence.kinds  # Sentence.add, inlined: hot loop
            if start < s_start or end > s_end:
                continue
            for payload in payloads:
                kind = payload[0]
                cues.append((start, end, payload))
                kinds[kind] = kinds.get(kind, 0) + 1
                if kind == MILITIA:
                    mentions.setdefault(str(payload[1]), []).append(Mention(start, end, si))
        self._add_short_forms(text, sentences, mentions)
        if self._arabic.may_match(folded):
            self._add_arabic(folded, sentences, mentions)
        for named in mentions.values():
            named.sort(key=lambda m: m.start)
        return dict(sorted(mentions.items(), key=lambda kv: kv[1][0].start))

    def title_sentence(self, title: str) -> Sentence:
        """A title that is not part of the text, as a sentence of its own (no spans)."""
        s = Sentence(0, len(title), TITLE_WEIGHT, -1, is_title=True)
        folded = fold(title)
        found = self._matcher.find(folded)
        if self._arabic.may_match(folded):
            found += self._arabic.find(folded)
        for start, end, payloads in found:
            for payload in payloads:
                s.add(start, end, payload)
        for m in self._short_re.finditer(title):
            if m.group() in _US_FORMS and _word_start(title, m.start()):
                s.add(m.start(), m.end(), (ACTOR, "us"))
        s.cues.sort(key=lambda c: c[0])
        return s

    def _add_short_forms(
        self, text: str, sentences: list[Sentence], mentions: dict[str, list[Mention]]
    ) -> None:
        starts = [s.start for s in sentences]
        for m in self._short_re.finditer(text):
            start, end = m.span()
            si = bisect.bisect_right(starts, start) - 1
            if si < 0 or end > sentences[si].end or not _word_start(text, start):
                continue
            sentence = sentences[si]
            form = m.group()
            payload: Payload = _US
            if form not in _US_FORMS:
                mid = self._short_ids[form]
                named = mid in mentions or form in self._acronyms
                if not self._supported(text, m, sentence, named):
                    continue
                mentions.setdefault(mid, []).append(Mention(start, end, si))
                payload = (MILITIA, mid)
            _insert(sentence, (start, end, payload))

    def _add_arabic(
        self, folded: str, sentences: list[Sentence], mentions: dict[str, list[Mention]]
    ) -> None:
        starts = [s.start for s in sentences]
        for start, end, payloads in self._arabic.find(folded):
            si = bisect.bisect_right(starts, start) - 1
            if si < 0 or end > sentences[si].end:
                continue
            for payload in payloads:
                _insert(sentences[si], (start, end, payload))
                if payload[0] == MILITIA:
                    mentions.setdefault(str(payload[1]), []).append(Mention(start, end, si))

    @staticmethod
    def _supported(text: str, m: re.Match[str], sentence: Sentence, named: bool) -> bool:
        """Whether an ambiguous short form names the group here."""
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        if text[line_start : line_end if line_end != -1 else len(text)].isupper():
            return False  # an all-caps headline: "IS" may be the verb
        group_word = _GROUP_WORDS.match(text, m.end()) is not None
        if m.group() in _VERB_LIKE_SHORT:
            # "IS" is also a verb: only after the full name, as "(IS)" or "IS fighters".
            in_parens = text[m.start() - 1 : m.start()] == "("
            return named and (in_parens or group_word)
        kinds = sentence.kinds
        military = sum(kinds.get(k, 0) for k in (MILITARY, MILITIA, WEAPON, NOUN))
        return named or group_word or military > 0


def _insert(sentence: Sentence, cue: Cue) -> None:
    """Sentence.add, keeping the cues in order of start: after those that start at or before
    it, where appending and a stable sort would put it."""
    bisect.insort(sentence.cues, cue, key=_cue_start)
    kind = cue[2][0]
    sentence.kinds[kind] = sentence.kinds.get(kind, 0) + 1


def _position_weight(body_index: int) -> float:
    if body_index < LEAD_SENTENCES:
        return POSITION_WEIGHTS[body_index]
    return 0.3 if body_index < 10 else 0.15


def _word_start(text: str, at: int) -> bool:
    return at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_-")


def _is_title_line(text: str, start: int, end: int, title: str | None) -> bool:
    line = text[start:end]
    if title is not None:
        return term_key(line) == term_key(title)
    line_end = text.find("\n", start)
    whole_line = line_end == -1 or line_end >= end
    return whole_line and len(line) < 140 and line[-1:] not in ".!?\"”'’:" and "\n" in text


def _embed_inner_words(terms: dict[str, list[Payload]], gazetteer: Gazetteer) -> None:
    """A phrase inherits the weapon and military words inside it, which the longest match
    hides: "Iraqi warplanes" and "Iraqi F-16s" are an actor and a weapon, "Iraqi forces"
    military. A phrase that names a kind of attack keeps its own kind: a "suicide bomber" is
    no aircraft."""
    weapon_words = {
        term_key(alias): w for w in gazetteer.weapons for alias in w.aliases if " " not in alias
    }
    military_words = {term_key(w) for w in lexicon.MILITARY if " " not in w}
    nouns = {term_key(n): v for n, v in lexicon.ATTACK_NOUNS.items() if " " not in n}
    for term, payloads in terms.items():
        key = term_key(term)
        if " " not in key:
            continue
        words = key.split()
        if (CLAIM, None) in payloads:  # "claimed the attack" still names an attack
            for word in words:
                if word in nouns and (NOUN, nouns[word]) not in payloads:
                    payloads.append((NOUN, nouns[word]))
        if any(p[0] == WEAPON for p in payloads):
            continue  # a weapon's own name: "Hellfire missile" is not also a "missile"
        kinds = {cast(_NounValue, p[1])[0] for p in payloads if p[0] == NOUN}
        # Single-word aliases may hold a hyphen ("F-16s" -> "f 16s"): look for runs of words.
        runs = (" ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1))
        for run in runs:
            weapon = weapon_words.get(run)
            if weapon is None or run == key or (kinds and weapon.strike_type not in kinds):
                continue
            if (WEAPON, weapon.id) not in payloads:
                payloads.append((WEAPON, weapon.id))
        for word in words:
            if word in military_words and (MILITARY, None) not in payloads:
                payloads.append((MILITARY, None))
