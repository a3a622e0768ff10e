"""Which parts of a report tell of its own event: the lead, and the background.

Reports of a strike often retell the attack it answered ("the strikes answered
the killing of three soldiers at Tower 22 last Sunday"). The classifier may
take that earlier event's day or place for the report's own; the linker reads
its tags again with their evidence spans in mind:

* the **lead** (the first sentence, or two when the first is a short
  dateline) names the event's day when it names any: a date there wins over
  a date the classifier found only further down;
* a **background sentence** is one below the lead whose every date lies
  outside the window around the event's day; places named only there are
  put last, never taken for the scene.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from newsingest.records import LocationTag, Span

if TYPE_CHECKING:  # the classifier's modules load its gazetteers: import them when used
    from newsingest.classify.dates import DateMention

_SHORT_LEAD = 40
"""A first sentence shorter than this (a dateline, a kicker) takes the next one with it."""


@dataclass(frozen=True, slots=True)
class LeadDay:
    day: date
    exact: bool


def lead_end(text: str) -> int:
    """Where the lead ends: the end of the first sentence (or of the second, after a short
    one). Only the opening lines are split: the rest of a long text is never read here."""
    opening = len(text) - len(text.lstrip())
    first = _sentences_of_line(text, text.rfind("\n", 0, opening) + 1)
    if not first:
        return 0
    (start, end), rest = first[0], first[1:]
    if end - start >= _SHORT_LEAD:
        return end
    next_line = text.find("\n", end)
    while not rest and next_line >= 0:  # the next line with a sentence on it
        rest = _sentences_of_line(text, next_line + 1)
        next_line = text.find("\n", next_line + 1)
    return rest[0][1] if rest else end


def lead_days(
    text: str,
    end: int,
    published: date,
    *,
    max_age_days: int,
    evidence: Sequence[Span] = (),
) -> list[LeadDay]:
    """The dates ``text[:end]`` names that can be the event's (not after publication, not
    older than ``max_age_days``), in order.

    A calendar date is exact; a weekday ("on Friday") is exact only when the lead also
    tells of the strike (a span of the classifier's strike evidence lies in it): else it
    may be the day of the news told (a funeral, a new toll).
    """
    from newsingest.classify.dates import find_dates  # the classifier's own date reader

    told_in_lead = any(span.start < end for span in evidence)
    oldest = published - timedelta(days=max_age_days)
    return [
        LeadDay(mention.day, mention.explicit or told_in_lead)
        for mention in find_dates(text, 0, end, published)
        if mention.day is not None
        and not mention.month_only
        and oldest <= mention.day <= published + timedelta(days=1)
    ]


def background_places(
    text: str,
    locations: Sequence[LocationTag],
    *,
    lead: int,
    event_day: date,
    published: date | None,
    window_days: int,
) -> frozenset[str]:
    """Names of the places mentioned only in background sentences (dated away from the event)."""
    from newsingest.classify.dates import find_dates

    verdicts: dict[tuple[int, int], bool] = {}

    def background(position: int) -> bool:
        if position < lead:
            return False
        sentence = _sentence_at(text, position)
        if sentence not in verdicts:
            start, end = sentence
            mentions = find_dates(text, start, end, published or event_day)
            verdicts[sentence] = _dated_away(mentions, event_day, window_days)
        return verdicts[sentence]

    return frozenset(
        tag.name
        for tag in locations
        if tag.mentions and all(background(m.start) for m in tag.mentions)
    )


def _sentence_at(text: str, position: int) -> tuple[int, int]:
    """The sentence holding ``position``: only its line is split."""
    line_start = text.rfind("\n", 0, position) + 1
    for start, end in _sentences_of_line(text, line_start):
        if start <= position < end:
            return start, end
    return position, position


def _sentences_of_line(text: str, line_start: int) -> list[tuple[int, int]]:
    """(start, end) of the sentences of the line starting at ``line_start``, in ``text``."""
    from newsingest.classify.sentences import split_sentences  # the classifier's own splitter

    line_end = text.find("\n", line_start)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    return [(line_start + a, line_start + b) for a, b in split_sentences(line)]


def _dated_away(mentions: Sequence[DateMention], event_day: date, window_days: int) -> bool:
    days = [m.day for m in mentions if m.day is not None and not m.month_only]
    return bool(days) and all(abs((d - event_day).days) > window_days for d in days)
