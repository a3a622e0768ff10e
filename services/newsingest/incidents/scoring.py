"""How strongly a report belongs to an open incident.

Hard limits first: reports of different days (beyond the window), of places
too far apart, or by incompatible actors never link, however alike their
words. Then evidence adds up as points, roughly log-odds: the same day, the
same place, the same target militia, the same person named each count for
about as much; actor, type, weapon and shared bystander militias count a
little; text similarity breaks ties and spots copies of one wire story.
A disjoint set of target militias counts against.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from newsingest.incidents.config import LinkerConfig
from newsingest.incidents.features import ArticleFeatures
from newsingest.incidents.geo import haversine_km
from newsingest.incidents.state import IncidentState
from newsingest.incidents.text import similarity
from newsingest.records import Actor

# Actors that act together: a report may say "US" where another says "the coalition".
_ACTOR_GROUP: dict[Actor, str] = {"us": "us", "coalition": "us", "israel": "israel", "iran": "iran"}


@dataclass(frozen=True, slots=True)
class LinkScore:
    points: float
    similarity: float
    duplicate_of: str | None

    def confidence(self, threshold: float) -> float:
        """A squashed score: 0.5 two points below the threshold, ~0.88 at it."""
        return 1.0 / (1.0 + math.exp(-(self.points - threshold + 2.0)))


def score(
    article: ArticleFeatures,
    incident: IncidentState,
    config: LinkerConfig,
    person_weight: Callable[[str], float],
) -> LinkScore | None:
    """Points for linking ``article`` to ``incident``; None when they can't be one event."""
    day_points = _day_points(article, incident, config)
    if day_points is None:
        return None
    place_points = _place_points(article, incident, config)
    if place_points is None:
        return None
    actor_points = _actor_points(article, incident)
    if actor_points is None:
        return None
    points = day_points + place_points + actor_points
    points += _militia_points(article, incident)
    points += min(3.0, sum(person_weight(p) for p in article.people & incident.people))
    if article.weapons & incident.weapons:
        points += 0.5
    if article.type is not None and article.type == incident.type:
        points += 0.3
    best, duplicate_of = 0.0, None
    for source in incident.sources:
        sim = similarity(list(article.sketch), source.fingerprint)
        if sim > best:
            best, duplicate_of = sim, source.article_id
    points += 4.0 * best
    if best < config.duplicate_similarity:
        duplicate_of = None
    return LinkScore(points=points, similarity=best, duplicate_of=duplicate_of)


def _day_points(
    article: ArticleFeatures, incident: IncidentState, config: LinkerConfig
) -> float | None:
    a_day, i_day = article.day, incident.day
    if a_day is None or i_day is None:
        return 0.0
    gap = (a_day - i_day).days
    if article.day_exact and incident.day_exact:
        if abs(gap) > config.date_window_days:
            return None
        return 2.0 if gap == 0 else 0.5
    # One side only knows when it was published: a report comes out on the
    # event's day or after it, within the follow-up window.
    if article.day_exact:
        gap = -gap  # the incident's day is a publication day, the article's an event day
    if gap < -config.date_window_days or gap > config.follow_days:
        return None
    return 1.0 if gap == 0 else 0.5


def _place_points(
    article: ArticleFeatures, incident: IncidentState, config: LinkerConfig
) -> float | None:
    here, there = article.places[: config.max_places], incident.places[: config.max_places]
    if not here or not there:
        return 0.0
    scene = haversine_km(here[0].lat, here[0].lon, there[0].lat, there[0].lon)
    if scene <= config.near_km:
        return 2.0
    # The scenes differ; a report may still lead with a wider area (a province,
    # the country) and name the incident's scene later, or the other way round.
    other = min(
        min(haversine_km(here[0].lat, here[0].lon, p.lat, p.lon) for p in there),
        min(haversine_km(p.lat, p.lon, there[0].lat, there[0].lon) for p in here),
    )
    if other <= config.near_km:
        return 1.0
    if min(scene, other) <= config.max_distance_km:
        return 0.0
    return None


def _actor_points(article: ArticleFeatures, incident: IncidentState) -> float | None:
    a, b = article.actor, incident.actor
    if a is None or b is None:
        return 0.0
    if a == b:
        return 0.5
    group_a, group_b = _ACTOR_GROUP.get(a), _ACTOR_GROUP.get(b)
    if group_a and group_b and group_a != group_b:
        return None
    return 0.0


def _militia_points(article: ArticleFeatures, incident: IncidentState) -> float:
    mine, theirs = article.principals, incident.principals
    points = 0.0
    if mine and theirs:
        shared = mine & theirs
        points += 2.0 if shared else -2.0
    if any(m in incident.militias for m in article.militias - (mine & theirs)):
        points += 0.5
    return points
