"""What the linker compares: an article reduced to the classifier's findings.

Linking works on these features, not on wording: the date of the event, where
it happened, who struck whom, with what, and who was named. The text sketch
only breaks ties and spots syndicated copies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from newsingest.incidents.config import LinkerConfig
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
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def article_features(article: ArticleRecord, config: LinkerConfig) -> ArticleFeatures:
    tags = article.tags
    published = parse_time(article.published_at)
    event_day = parse_day(tags.event_date)
    day, day_exact = event_day, event_day is not None
    if day is None and published is not None:
        # No event date: the lead's first date, else the day of publication. A
        # calendar date is the event's; a weekday ("on Monday") may be the day of
        # the news told (a funeral, a new toll), so it stands in for publication.
        lead = _lead_date(article.text, published, config)
        day, day_exact = lead if lead else (published.date(), False)
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
        places=_places(tags.locations),
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


def _lead_date(text: str, published: datetime, config: LinkerConfig) -> tuple[date, bool] | None:
    """The first date the lead of a report names (and whether it is a calendar date).

    For reports the classifier gave no event date.

    The classifier dates only reports it tags as strikes, and only events of the
    last ten days; a follow-up ("34 troops were diagnosed ... after the attack on
    8 January") names its event's date near the top all the same.
    """
    from newsingest.classify.dates import find_dates  # the classifier's own date reader

    ref = published.date()
    for mention in find_dates(text, 0, config.lead_chars, ref):
        if mention.day is None or mention.month_only:
            continue
        if ref - timedelta(days=config.lead_date_days) <= mention.day <= ref + timedelta(days=1):
            return mention.day, mention.explicit
    return None


def _places(locations: list[LocationTag]) -> tuple[Place, ...]:
    # The classifier lists the scene of the event first, then the other places.
    return tuple(
        Place(t.name, t.country, t.lat, t.lon)
        for t in locations
        if t.lat is not None and t.lon is not None
    )
