"""What the linker compares: an article reduced to the classifier's findings.

Linking works on these features, not on wording: the date of the event, where
it happened, who struck whom, with what, and who was named. The text sketch
only breaks ties and spots syndicated copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from newsingest.incidents.config import LinkerConfig
from newsingest.incidents.people import extract_people
from newsingest.incidents.text import sketch
from newsingest.records import Actor, ArticleRecord, LocationTag, StrikeType


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str | None
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    article_id: str
    day: date | None
    """The event's day: the classifier's event date, else the day of publication."""
    day_exact: bool
    """True when ``day`` is the classifier's event date, not the publication day."""
    published: datetime | None
    places: tuple[Place, ...]
    """Places with coordinates, in order of first mention (the lead names the scene)."""
    actor: Actor | None
    type: StrikeType | None
    principals: frozenset[str]
    """Militia ids tagged as the target or the perpetrator."""
    militias: frozenset[str]
    """Every militia id tagged, whatever its role."""
    people: frozenset[str]
    weapons: frozenset[str]
    sketch: tuple[int, ...]


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
    day = event_day or (published.date() if published else None)
    spans = [(m.start, m.end) for t in tags.militias for m in t.mentions]
    spans += [(m.start, m.end) for t in tags.locations for m in t.mentions]
    text = f"{article.title}\n{article.text}" if article.title else article.text
    return ArticleFeatures(
        article_id=article.article_id,
        day=day,
        day_exact=event_day is not None,
        published=published,
        places=_places(tags.locations),
        actor=tags.strike.actor,
        type=tags.strike.type,
        principals=frozenset(m.id for m in tags.militias if m.role != "mentioned"),
        militias=frozenset(m.id for m in tags.militias),
        people=extract_people(article.text, limit_chars=config.people_chars, tagged_spans=spans),
        weapons=frozenset(w.id for w in tags.weapons),
        sketch=tuple(sketch(text, k=config.sketch_k, shingle_size=config.shingle_size)),
    )


def _places(locations: list[LocationTag]) -> tuple[Place, ...]:
    def first_mention(tag: LocationTag) -> int:
        return min((m.start for m in tag.mentions), default=1 << 30)

    ordered = sorted(locations, key=first_mention)
    return tuple(
        Place(t.name, t.country, t.lat, t.lon)
        for t in ordered
        if t.lat is not None and t.lon is not None
    )
