"""How strongly a report belongs to an open incident.

Hard limits first: reports of different days (beyond the window), of places
too far apart, or by incompatible actors never link, however alike their
words; nor do reports without an anchor in common (one scene, a militia, a
person, or much of their text; a country one names holding the other's scene
anchors only reports of the same exact day by the same side), which is also
what lets the index find every candidate. Then evidence adds up as points, roughly log-odds: the same day,
the same scene, the same militia in the same role, the same person named each
count for about as much; actor, type, weapon and militias only mentioned count
a little; text similarity breaks ties and spots copies of one wire story.
Different targets (or one's target being the other's perpetrator) count against.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from newsingest.incidents.config import KM_PER_DEGREE, LinkerConfig
from newsingest.incidents.features import ArticleFeatures, Place, actor_group
from newsingest.incidents.geo import haversine_km
from newsingest.incidents.state import IncidentState
from newsingest.incidents.text import LEAD_HASHES, similarity

_MAX_TEXT_POINTS = 4.0  # a verbatim copy is worth two strong signs


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
    actor_points = _actor_points(article, incident)
    if actor_points is None:
        return None
    place = _place_points(article, incident, config)
    if place is None:
        return None
    place_points, place_anchors = place
    shared_people = article.people.intersection(incident.people)
    militia_points = _militia_points(article, incident)
    points = day_points + place_points + actor_points + militia_points
    points += min(3.0, sum(person_weight(p) for p in shared_people))
    if not article.weapons.isdisjoint(incident.weapons):
        points += 0.5
    if article.type is not None and article.type == incident.type:
        points += 0.3
    anchored = place_anchors or militia_points > 0 or bool(shared_people)
    # A country holding the other's scene is a weak tie: it anchors only a report of
    # the same exact day by the same side (a multi-site operation, a country-wide report).
    anchored = anchored or (place_points > 0 and _same_day_same_side(article, incident))
    if anchored and points + _MAX_TEXT_POINTS < config.link_threshold:
        return None  # out of reach whatever the text: skip the sketches
    best, duplicate_of = 0.0, None
    for source in incident.sources_sharing(article.sketch[:LEAD_HASHES]):
        sim = similarity(article.sketch_set, source.fingerprint)
        if sim > best:
            best, duplicate_of = sim, source.article_id
    if not anchored and best < config.anchor_similarity:
        return None
    if best < config.duplicate_similarity:
        duplicate_of = None
    points += _MAX_TEXT_POINTS * best
    return LinkScore(points=points, similarity=best, duplicate_of=duplicate_of)


def _same_day_same_side(article: ArticleFeatures, incident: IncidentState) -> bool:
    group = actor_group(article.actor)
    return (
        article.day_exact
        and incident.day_exact
        and article.day == incident.day
        and group is not None
        and group == actor_group(incident.actor)
    )


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
) -> tuple[float, bool] | None:
    """Points for where, and whether they anchor a link; None when the places lie apart.

    2 for one scene (anchors); 1 when one's scene is near another place of the other, as
    in a multi-site strike or a report leading with a wider area (anchors); 1 when a
    country or sea one names holds the other's scene (a weak tie: does not anchor);
    0 when merely near enough or when either names no place; None beyond
    ``max_distance_km`` (counting how far a country reaches).
    """
    here, there = article.places[: config.max_places], incident.places[: config.max_places]
    if not here or not there:
        return 0.0, False
    scene, other_scene = here[0], there[0]
    near = config.near_km
    if scene.local:
        if other_scene.local and _near(scene, other_scene, near):
            return 2.0, True
        if any(p.local and _near(scene, p, near) for p in there[1:]):
            return 1.0, True
    if other_scene.local and any(p.local and _near(p, other_scene, near) for p in here[1:]):
        return 1.0, True
    if _holds(here, other_scene) or _holds(there, scene):
        return 1.0, False
    limit = config.max_distance_km
    if (
        _within(scene, other_scene, limit)
        or any(_within(scene, p, limit) for p in there[1:])
        or any(_within(p, other_scene, limit) for p in here[1:])
    ):
        return 0.0, False
    return None


def _holds(places: Sequence[Place], scene: Place) -> bool:
    """A country (or sea) among ``places`` is, or holds, ``scene``."""
    return any(p.name == scene.name or _contains(p, scene) for p in places if not p.local)


def _contains(wide: Place, place: Place) -> bool:
    """A country (or sea) as one report's scene, and the other's scene inside it."""
    if wide.local:
        return False
    if wide.country is not None:
        return wide.country == place.country
    return _within(wide, place, 0.0)


def _near(a: Place, b: Place, km: float) -> bool:
    """The same scene: two specific places (not a country, not a sea; the caller checks)
    whose points lie within ``km`` (a province counts by its main city)."""
    return _within(a, b, km, extents=False)


def _within(a: Place, b: Place, km: float, *, extents: bool = True) -> bool:
    """Whether two places can be within ``km`` of each other, given how far each reaches.

    A cheap bounding test first, then haversine.
    """
    if extents:
        km += a.extent_km + b.extent_km
    if abs(a.lat - b.lat) * KM_PER_DEGREE > km:
        return False
    if abs(a.lon - b.lon) * KM_PER_DEGREE * min(a.cos_lat, b.cos_lat) > km:
        return False
    return haversine_km(a.lat, a.lon, b.lat, b.lon) <= km


def _actor_points(article: ArticleFeatures, incident: IncidentState) -> float | None:
    a, b = actor_group(article.actor), actor_group(incident.actor)
    if a is None or b is None:
        return 0.5 if article.actor is not None and article.actor == incident.actor else 0.0
    return 0.5 if a == b else None


def _militia_points(article: ArticleFeatures, incident: IncidentState) -> float:
    """+2 for a militia in the same role in both; -1 when one's target is the other's
    perpetrator (a strike and the attack it answered); -2 when each names a different
    target or perpetrator; else +1 for a militia one names as target or perpetrator
    and the other only mentions (+0.5 when both only mention it)."""
    if _same_role(article, incident):
        return 2.0
    if _crossed(article, incident):
        return -1.0
    principals = incident.principals
    if article.principals and principals:
        return -2.0
    shared = [m for m in article.militias if m in incident.militias]
    if shared:
        both_mentioned = all(m not in article.principals and m not in principals for m in shared)
        return 0.5 if both_mentioned else 1.0
    return 0.0


def _same_role(article: ArticleFeatures, incident: IncidentState) -> bool:
    return not (
        article.targets.isdisjoint(incident.targets)
        and article.perpetrators.isdisjoint(incident.perpetrators)
    )


def _crossed(article: ArticleFeatures, incident: IncidentState) -> bool:
    return not (
        article.targets.isdisjoint(incident.perpetrators)
        and article.perpetrators.isdisjoint(incident.targets)
    )
