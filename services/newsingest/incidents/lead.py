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


def lead_end(sentences: Sequence[tuple[int, int]]) -> int:
    """Where the lead ends: the end of the first sentence (or of the second, after a short one)."""
    if not sentences:
        return 0
    first_start, first_end = sentences[0]
    if first_end - first_start < _SHORT_LEAD and len(sentences) > 1:
        return sentences[1][1]
    return first_end


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
    sentences: Sequence[tuple[int, int]],
    locations: Sequence[LocationTag],
    *,
    lead: int,
    event_day: date,
    published: date | None,
    window_days: int,
) -> frozenset[str]:
    """Names of the places mentioned only in background sentences (dated away from the event)."""
    from newsingest.classify.dates import find_dates

    verdicts: dict[int, bool] = {}

    def background(position: int) -> bool:
        for start, end in sentences:
            if start <= position < end:
                if start not in verdicts:
                    verdicts[start] = start >= lead and _dated_away(
                        find_dates(text, start, end, published or event_day),
                        event_day,
                        window_days,
                    )
                return verdicts[start]
        return False

    return frozenset(
        tag.name
        for tag in locations
        if tag.mentions and all(background(m.start) for m in tag.mentions)
    )


def _dated_away(mentions: Sequence[DateMention], event_day: date, window_days: int) -> bool:
    days = [m.day for m in mentions if m.day is not None and not m.month_only]
    return bool(days) and all(abs((d - event_day).days) > window_days for d in days)
