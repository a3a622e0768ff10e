"""Factories for strike reports with hand-made classifier tags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from newsingest.records import (
    ArticleRecord,
    Casualties,
    CasualtyClaim,
    CasualtyCount,
    LocationTag,
    MilitiaTag,
    Span,
    StrikeTag,
    Tags,
    WeaponTag,
    stable_id,
)

PLACES: dict[str, tuple[str, float, float]] = {
    "Baghdad": ("IQ", 33.3152, 44.3661),
    "Hillah": ("IQ", 32.4637, 44.4196),
    "Erbil": ("IQ", 36.1911, 44.0092),
    "Damascus": ("SY", 33.5138, 36.2765),
    "Beirut": ("LB", 33.8938, 35.5018),
    "Mosul": ("IQ", 36.34, 43.13),
    "Al-Qaim": ("IQ", 34.37, 41.09),
    "Albu Kamal": ("SY", 34.45, 40.92),
    "Iraq": ("IQ", 33.2, 43.7),
    "Syria": ("SY", 35.0, 38.5),
}
MILITIAS = {"kh": "Kataib Hezbollah", "nujaba": "Harakat al-Nujaba", "houthis": "Houthis"}

ArticleFactory = Callable[..., ArticleRecord]


def _span(text: str, needle: str) -> list[Span]:
    start = text.find(needle)
    return [Span(needle, start, start + len(needle))] if start >= 0 else []


def make_article(
    text: str,
    *,
    url: str,
    published_at: str | None = "2024-02-07T20:00:00Z",
    event_date: str | None = "2024-02-07",
    places: tuple[str, ...] = ("Baghdad",),
    targets: tuple[str, ...] = ("kh",),
    mentioned: tuple[str, ...] = (),
    actor: Any = "us",
    strike_type: Any = "drone_strike",
    killed: tuple[int, int] | None = None,
    weapons: tuple[str, ...] = (),
    title: str | None = None,
) -> ArticleRecord:
    """A strike report; tags point at the text where the text names them."""
    locations = []
    for name in places:
        country, lat, lon = PLACES[name]
        locations.append(LocationTag(name, country, lat, lon, _span(text, name)))
    militias = [MilitiaTag(m, MILITIAS[m], "target", _span(text, MILITIAS[m])) for m in targets]
    militias += [
        MilitiaTag(m, MILITIAS[m], "mentioned", _span(text, MILITIAS[m])) for m in mentioned
    ]
    casualties = Casualties()
    if killed is not None:
        span = Span(str(killed[1]), 0, 1)
        claim = CasualtyClaim(killed[1], "officials", span)
        casualties = Casualties(killed=CasualtyCount(killed[0], killed[1], [claim]))
    domain = url.split("/")[2]
    return ArticleRecord(
        article_id=stable_id(url),
        url_id=stable_id(url),
        url=url,
        canonical_url=url,
        source_domain=domain,
        title=title,
        authors=[],
        published_at=published_at,
        language="en",
        text=text,
        headings=[],
        removed=[],
        content_hash=stable_id(text),
        tags=Tags(
            strike=StrikeTag(True, 0.9, strike_type, actor),
            militias=militias,
            locations=locations,
            event_date=event_date,
            casualties=casualties,
            weapons=[WeaponTag(w, w, []) for w in weapons],
        ),
        classifier_version="test",
        fetched_at=published_at or "2024-02-07T20:00:00Z",
        enriched_at=published_at or "2024-02-07T20:00:00Z",
    )


@pytest.fixture
def article() -> ArticleFactory:
    return make_article
