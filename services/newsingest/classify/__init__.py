"""The strike/militia classifier of the enrich stage.

One small interface, so that a learned model can later replace the rules::

    classifier = load_classifier()          # cached: gazetteers load once per process
    tags = classifier.classify(text, title=title, published_at=published_at)

``text`` is the cleaned article (one paragraph per line, headings on their own
line); every span in the returned :class:`~newsingest.records.Tags` indexes it.
``StrikeTag.confidence`` is the classifier's confidence in its ``is_strike``
verdict (0.5 = a coin toss, 1 = certain), whichever way the verdict goes.
"""

from __future__ import annotations

import functools
from typing import Protocol

from newsingest.classify.gazetteer import load_gazetteer
from newsingest.classify.rules import RuleClassifier
from newsingest.records import Tags


class Classifier(Protocol):
    version: str

    def classify(
        self, text: str, *, title: str | None = None, published_at: str | None = None
    ) -> Tags: ...


@functools.cache
def load_classifier() -> Classifier:
    """The rule-based classifier, built once per process (gazetteers, compiled patterns)."""
    return RuleClassifier(load_gazetteer())


__all__ = ["Classifier", "RuleClassifier", "load_classifier"]
