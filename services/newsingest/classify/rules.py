"""The rule-based strike/militia classifier: cues, evidence, then the facts of the event.

One regex pass finds every known term (:mod:`~newsingest.classify.cues`); the
sentences are scored (:mod:`~newsingest.classify.evidence`); when the lead
reports a strike, the actor and the groups' roles
(:mod:`~newsingest.classify.actors`), the scene and the day
(:mod:`~newsingest.classify.scene`) and the casualties
(:mod:`~newsingest.classify.casualties`) are read from the sentences that report
the event, the strongest first; the weapons are those of these sentences first,
then the others the article names in war news.
"""

from __future__ import annotations

import math

from newsingest.classify import actors, evidence, scene
from newsingest.classify.casualties import find_casualties
from newsingest.classify.cues import AFTER, BACKREF, KILLED, CueFinder, Sentence
from newsingest.classify.dates import reference_day
from newsingest.classify.gazetteer import Gazetteer
from newsingest.classify.matcher import fold
from newsingest.records import Actor, MilitiaTag, Span, StrikeTag, Tags

VERSION = "rules-1.0.0"


class RuleClassifier:
    """Strike/militia tagger over cleaned article text. Build once; ``classify`` is pure."""

    version = VERSION

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._cues = CueFinder(gazetteer)
        self._names = {m.id: m.name for m in gazetteer.militias}
        self._places = gazetteer.places
        self._weapons = {w.id: w for w in gazetteer.weapons}
        self._weapon_types = {w.id: w.strike_type for w in gazetteer.weapons}
        self._operators = {w.id: w.operator for w in gazetteer.weapons}

    def classify(
        self, text: str, *, title: str | None = None, published_at: str | None = None
    ) -> Tags:
        ref = reference_day(published_at, text)
        folded = fold(text)
        sentences = self._cues.sentences(text, title)
        mentions = self._cues.collect(text, folded, sentences)
        for s in sentences:
            evidence.score_sentence(text, folded, s, ref, self._weapon_types)
        headline = None
        if title and not (sentences and sentences[0].is_title):
            headline = self._cues.title_sentence(title)  # scored, but it has no spans
            evidence.score_sentence(title, fold(title), headline, ref, self._weapon_types)
        score = evidence.document_score(sentences, headline)
        is_strike = score >= evidence.THRESHOLD
        confidence = 1.0 / (1.0 + math.exp(-3.0 * (score - evidence.THRESHOLD)))
        confidence = round(confidence if is_strike else 1.0 - confidence, 3)
        event = evidence.event_sentences(sentences) if is_strike else []
        actor: Actor | None = None
        roles = {}
        if is_strike:
            actor, perpetrator = actors.find_actor(folded, event, self._operators)
            roles = actors.find_roles(folded, sentences, event, mentions, perpetrator)
        strongest = sorted(event, key=lambda s: -s.evidence * s.weight)[:3]
        return Tags(
            strike=StrikeTag(
                is_strike=is_strike,
                confidence=confidence,
                type=scene.strike_type(event, actor) if is_strike else None,
                actor=actor,
                evidence=[Span(text[a:b], a, b) for s in strongest if s.best for a, b in [s.best]],
            ),
            militias=[
                MilitiaTag(
                    id=mid,
                    name=self._names[mid],
                    role=roles.get(mid, "mentioned"),
                    mentions=[Span(text[m.start : m.end], m.start, m.end) for m in found],
                )
                for mid, found in mentions.items()
            ],
            locations=scene.locations(text, folded, sentences, event, self._places),
            event_date=scene.event_date(text, event, ref) if is_strike else None,
            casualties=find_casualties(text, _harm_sentences(sentences, event), folded),
            weapons=scene.weapon_tags(text, sentences, event, self._weapons),
        )


def _harm_sentences(sentences: list[Sentence], event: list[Sentence]) -> list[tuple[int, int]]:
    """Where the dead and wounded of the event are told: the event's sentences, and the
    sentence right after one of them ("The result: all three perished.") unless it turns to
    an earlier event."""
    event_ids = {id(s) for s in event}
    spans: list[tuple[int, int]] = []
    follows = False
    for s in sentences:
        in_event = id(s) in event_ids
        kinds = s.kinds
        if kinds.get(KILLED) and (
            in_event
            or (follows and not s.background and not kinds.get(BACKREF) and not kinds.get(AFTER))
        ):
            spans.append((s.start, s.end))
        follows = in_event
    return spans
