"""What the linker compares: an article reduced to the classifier's findings.

Linking works on these features, not on wording: the date of the event, where
it happened, who struck whom, with what, and who was named. The text sketch
only breaks ties and spots syndicated copies.
"""

from __future__ import annotations

import functools
import math
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from newsingest.incidents.config import LinkerConfig
from newsingest.incidents.lead import background_places, lead_days, lead_end
from newsingest.incidents.people import extract_people
from newsingest.incidents.places import LOCAL_EXTENT_KM, extent_km
from newsingest.incidents.text import sketch
from newsingest.records import Actor, ArticleRecord, LocationTag, StrikeType

# Actors that act together: a report may say "US" where another says "the coalition".
# Actors of different groups never strike together; the others (a militia,
# "unknown") may be anyone.
_ACTOR_GROUP: dict[Actor, str] = {"us": "us", "coalition": "us", "israel": "israel", "iran": "iran"}
ACTOR_GROUPS: tuple[str, ...] = ("us", "israel", "iran")


def actor_group(actor: Actor | None) -> str | None:
    return _ACTOR_GROUP.get(actor) if actor else None


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str | None
    lat: float
    lon: float
    extent_km: float = field(init=False, repr=False, compare=False)
    """How far the place reaches from its point: 0 for a city, hundreds for a country."""
    local: bool = field(init=False, repr=False, compare=False)
    """Specific enough (a city, a district, a province) to anchor a link."""
    cos_lat: float = field(init=False, repr=False, compare=False)
    """Kept for the distance pre-check, which runs for every candidate."""

    def __post_init__(self) -> None:
        extent = extent_km(self.name)
        object.__setattr__(self, "extent_km", extent)
        object.__setattr__(self, "local", extent <= LOCAL_EXTENT_KM)
        object.__setattr__(self, "cos_lat", math.cos(math.radians(self.lat)))


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    article_id: str
    day: date | None
    """The event's day, else the day of the news (see ``day_exact``)."""
    day_exact: bool
    """True when ``day`` is the event's (the classifier's, or a calendar date in the lead);
    False when it is the day the report tells of or was published, on or after the event."""
    published: datetime | None
    places: tuple[Place, ...]
    """Places with coordinates, the scene of the event first (the classifier's order)."""
    actor: Actor | None
    type: StrikeType | None
    targets: frozenset[str]
    perpetrators: frozenset[str]
    principals: frozenset[str]
    """Militia ids tagged as the target or the perpetrator."""
    militias: frozenset[str]
    """Every militia id tagged, whatever its role."""
    people: frozenset[str]
    weapons: frozenset[str]
    sketch: tuple[int, ...]
    sketch_set: frozenset[int]


def shared_place(name: str, country: str | None, lat: float, lon: float) -> Place:
    """The place of these name and coordinates: one object for the many reports and
    incidents naming it (the classifier's gazetteer gives one point per name)."""
    if type(lat) is float and type(lon) is float and lat and lon:
        return _shared_place(name, country, lat, lon)
    return Place(name, country, lat, lon)  # 0, -0.0 and 0.0 are equal, yet print apart


@functools.lru_cache(maxsize=4096)
def _shared_place(name: str, country: str | None, lat: float, lon: float) -> Place:
    return Place(sys.intern(name), sys.intern(country) if country else country, lat, lon)


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 timestamp or date, or None when absent or unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    # Naive times are taken as UTC so that every comparison is between aware ones.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_day(value: str | None) -> date | None:
    """The date an ISO 8601 date or timestamp starts with (one object per day: cached)."""
    if not value:
        return None
    return _day(value[:10])


@functools.lru_cache(maxsize=1024)
def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def article_features(article: ArticleRecord, config: LinkerConfig) -> ArticleFeatures:
    tags = article.tags
    published = parse_time(article.published_at)
    lead = lead_end(article.text)
    day, day_exact = _event_day(article, published, lead, config)
    background: frozenset[str] = frozenset()
    if day is not None and any(m.start >= lead for t in tags.locations for m in t.mentions):
        background = background_places(
            article.text,
            tags.locations,
            lead=lead,
            event_day=day,
            published=published.date() if published else None,
            window_days=config.date_window_days,
        )
    spans = [(m.start, m.end) for t in tags.militias for m in t.mentions]
    spans += [(m.start, m.end) for t in tags.locations for m in t.mentions]
    text = f"{article.title}\n{article.text}" if article.title else article.text
    text_sketch = sketch(
        text, k=config.sketch_k, shingle_size=config.shingle_size, max_words=config.sketch_words
    )
    return ArticleFeatures(
        article_id=article.article_id,
        day=day,
        day_exact=day_exact,
        published=published,
        places=_places(tags.locations, background),
        actor=tags.strike.actor,
        type=tags.strike.type,
        targets=frozenset(m.id for m in tags.militias if m.role == "target"),
        perpetrators=frozenset(m.id for m in tags.militias if m.role == "perpetrator"),
        principals=frozenset(m.id for m in tags.militias if m.role != "mentioned"),
        militias=frozenset(m.id for m in tags.militias),
        people=extract_people(article.text, limit_chars=config.people_chars, tagged_spans=spans),
        weapons=frozenset(w.id for w in tags.weapons),
        sketch=tuple(text_sketch),
        sketch_set=frozenset(text_sketch),
    )


def _event_day(
    article: ArticleRecord, published: datetime | None, lead: int, config: LinkerConfig
) -> tuple[date | None, bool]:
    """The event's day and whether it is exact (see ``ArticleFeatures.day_exact``).

    The classifier's event date, unless the lead names other dates and not that one, the
    first of them exact: then the classifier took the date of a background sentence, and
    the lead's date is the event's. Without an event date: the first date of the opening
    ``lead_chars``, else the day of publication (of fetching, when that is unknown).
    """
    tagged = parse_day(article.tags.event_date)
    published = published or parse_time(article.fetched_at)
    if published is None:
        return tagged, tagged is not None
    evidence = article.tags.strike.evidence
    age = config.lead_date_days
    if tagged is not None:
        named = lead_days(article.text, lead, published.date(), max_age_days=age, evidence=evidence)
        if named and named[0].exact and all(found.day != tagged for found in named):
            return named[0].day, True
        return tagged, True
    opening = max(lead, config.lead_chars)
    named = lead_days(article.text, opening, published.date(), max_age_days=age, evidence=evidence)
    if named:
        return named[0].day, named[0].exact
    return published.date(), False


def _places(locations: list[LocationTag], background: frozenset[str]) -> tuple[Place, ...]:
    # The classifier lists the scene of the event first, then the other places; places
    # named only in background sentences go last (stable: the classifier's order holds).
    places = [
        shared_place(t.name, t.country, t.lat, t.lon)
        for t in locations
        if t.lat is not None and t.lon is not None
    ]
    places.sort(key=lambda p: p.name in background)
    return tuple(places)
