"""Open incidents by place, militia, person, text and day: a report meets only plausible ones.

The scorer links only on an anchor — one's scene within ``near_km`` of a
place of the other (or a country holding the other's scene), a militia both
name (not as target in one and perpetrator in the other), a shared person, or
much of the text — so an incident is filed under the keys of those anchors:

* ``place``/``scene``: the grid cell (``near_km`` wide) of each of its first
  city-sized places, and of its scene alone;
* ``militia``: each militia named;
* ``in``/``wide``: the country of its scene, and that country again when the
  scene is the whole country (or a sea), which a report of a scene inside it meets;
* ``person``: each person named;
* ``text``: the ``LEAD_HASHES`` smallest values of each source's fingerprint
  (a copy shares one of them with high probability).

Each key is paired with the incident's bucket: its event day (None when
undated), whether that day is exact, and its actor's group (reports by
incompatible actors never link). A report looks up its own keys in the
buckets it could belong to: a few hundred dictionary hits instead of a scan
of every open incident.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import TypeVar

from newsingest.incidents.config import LinkerConfig
from newsingest.incidents.features import ACTOR_GROUPS, ArticleFeatures, Place, actor_group
from newsingest.incidents.geo import Cell, cell_of, neighbourhood
from newsingest.incidents.state import IncidentState
from newsingest.incidents.text import LEAD_HASHES

Key = tuple[object, ...]
Bucket = tuple[date | None, bool, str | None]
"""(event day or None, is the day exact?, actor group): the part of a key reports must match."""
K = TypeVar("K")


class IncidentIndex:
    def __init__(self, config: LinkerConfig) -> None:
        self._config = config
        self._by_key: defaultdict[tuple[Key, Bucket], set[str]] = defaultdict(set)
        self._by_key_any_day: defaultdict[Key, set[str]] = defaultdict(set)
        self._filed: dict[str, list[tuple[Key, Bucket]]] = {}
        self._person_count: defaultdict[str, int] = defaultdict(int)

    def __len__(self) -> int:
        return len(self._filed)

    def add(self, incident: IncidentState) -> None:
        """File (or re-file, after it changed) an incident under its keys."""
        self.remove(incident.incident_id)
        bucket = (incident.day, incident.day_exact, actor_group(incident.actor))
        entries = [(key, bucket) for key in self._incident_keys(incident)]
        for entry in entries:
            self._by_key[entry].add(incident.incident_id)
            self._by_key_any_day[entry[0]].add(incident.incident_id)
        for person in incident.people:
            self._person_count[person] += 1
        self._filed[incident.incident_id] = entries

    def remove(self, incident_id: str) -> None:
        for entry in self._filed.pop(incident_id, ()):
            _discard(self._by_key, entry, incident_id)
            _discard(self._by_key_any_day, entry[0], incident_id)
            if entry[0][0] == "person":
                person = str(entry[0][1])
                self._person_count[person] -= 1
                if self._person_count[person] <= 0:
                    del self._person_count[person]

    def candidates(self, article: ArticleFeatures) -> set[str]:
        """Ids of the open incidents that share a key with the report on a compatible day."""
        keys = list(self._article_keys(article))
        found: set[str] = set()
        if article.day is None:
            for key in keys:
                found |= self._by_key_any_day.get(key, _EMPTY)
            return found
        for bucket in self._buckets(article):
            for key in keys:
                found |= self._by_key.get((key, bucket), _EMPTY)
        return found

    def incidents_naming(self, person: str) -> int:
        """How many open incidents name a person (common names weigh less)."""
        return self._person_count.get(person, 0)

    def _buckets(self, article: ArticleFeatures) -> list[Bucket]:
        """The buckets an incident the report may belong to can be filed under."""
        assert article.day is not None
        group = actor_group(article.actor)
        groups = [group, None] if group else [None, *ACTOR_GROUPS]
        days: list[tuple[date | None, bool]] = [(None, False)]
        window, follow = self._config.date_window_days, self._config.follow_days
        if article.day_exact:
            # Dated incidents within the window; undated ones by a report published
            # on the event's day or within the follow-up window after it.
            exact, published = (-window, window), (-window, follow)
        else:
            # The report's day is its publication: the event came before it, or just after.
            exact = published = (-follow, window)
        days += [
            (article.day + timedelta(days=offset), is_exact)
            for is_exact, (low, high) in ((True, exact), (False, published))
            for offset in range(low, high + 1)
        ]
        return [(day, is_exact, g) for day, is_exact in days for g in groups]

    def _incident_keys(self, incident: IncidentState) -> set[Key]:
        config = self._config
        places = [p for p in incident.places[: config.max_places] if p.local]
        keys: set[Key] = {("person", p) for p in incident.people}
        keys |= {("militia", m) for m in incident.militias}
        for place in places:
            keys.add(("place", cell_of(place.lat, place.lon, config.near_cell_deg)))
        scene = incident.place
        if scene is not None and scene.local:
            keys.add(("scene", cell_of(scene.lat, scene.lon, config.near_cell_deg)))
        if scene is not None:
            keys.add(("in", _region(scene)))
            if not scene.local:
                keys.add(("wide", _region(scene)))
        keys |= {("text", h) for h in incident.by_hash}
        return keys

    def _article_keys(self, article: ArticleFeatures) -> set[Key]:
        config = self._config
        places = article.places[: config.max_places]
        keys: set[Key] = {("person", p) for p in article.people}
        keys |= {("militia", m) for m in article.militias}
        # The report's scene near any place of an incident, or the other way round;
        # a country (or sea) as a scene meets the scenes inside it, and the other way round.
        if places and places[0].local:
            scene = places[0]
            keys |= {("place", c) for c in _around(scene, config.near_cell_deg)}
            keys.add(("wide", _region(scene)))
        elif places:
            keys |= {("in", _region(places[0])), ("wide", _region(places[0]))}
        for place in places[1:]:
            if place.local:
                keys |= {("scene", c) for c in _around(place, config.near_cell_deg)}
        keys |= {("text", h) for h in article.sketch[:LEAD_HASHES]}
        return keys


def _region(place: Place) -> str:
    """The country a place is in, or the sea's name."""
    return place.country or place.name


def _around(place: Place, cell_deg: float) -> list[Cell]:
    return neighbourhood(cell_of(place.lat, place.lon, cell_deg))


_EMPTY: frozenset[str] = frozenset()


def _discard(table: defaultdict[K, set[str]], key: K, value: str) -> None:
    bucket = table.get(key)
    if bucket is not None:
        bucket.discard(value)
        if not bucket:
            del table[key]
