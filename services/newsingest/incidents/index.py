"""Open incidents by strong key and day: a report meets only a few plausible ones.

The scorer links only on an anchor — one's scene within ``near_km`` of a
place of the other, a militia both name, a shared person, much of the text,
or (weakly) a country one names holding the other's scene on the very same
day — so an incident is filed under the keys of those anchors:

* ``scene``/``place``: the grid cells (``near_km`` wide) around its scene, and
  around its other city-sized places: a report looks up the one cell of each
  of its own places, as the neighbourhood was filed on the incident's side;
* ``militia``, ``person``: each militia and each person named;
* ``text``: the ``LEAD_HASHES`` smallest values of the fingerprint of each
  of its first and latest sources (a copy shares one of them with high
  probability);
* ``in``/``wide``: the country of its scene, and each country (or sea) among
  its places, looked up only for the same exact day (a weak anchor).

Each key is paired with the incident's day slot (its event day, or None when
undated, and whether that day is exact). A report looks up its keys in the
slots its own day allows, tallies a cheap pre-score per incident from the
keys it hit (the same evidence the scorer weighs, coarsely), drops incidents
of an incompatible actor, and hands the ``max_candidates`` best to the
scorer: a few hundred dictionary hits instead of a scan of every open
incident, and a bounded number of full scores however dense the day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TypeVar

from newsingest.incidents.config import LinkerConfig
from newsingest.incidents.features import ArticleFeatures, Place, actor_group
from newsingest.incidents.geo import cell_of, neighbourhood
from newsingest.incidents.state import IncidentState
from newsingest.incidents.text import LEAD_HASHES

Key = tuple[str, object]
Slot = tuple[date | None, bool]
"""(event day or None, is the day exact?): the part of an entry a report's day must match."""
K = TypeVar("K")

# Pre-score of each kind of key hit: roughly what the scorer gives the same evidence.
_HIT_WEIGHT: dict[str, float] = {
    "text": 3.0,
    "scene": 2.0,
    "militia": 2.0,
    "person": 2.0,
    "place": 1.0,
    "in": 1.0,
    "wide": 1.0,
}
_TEXT_SOURCES = 8
"""Sources at each end of an incident whose fingerprints it is filed under."""
_SAME_DAY = 2.0
_NEAR_DAY = 0.5


class IncidentIndex:
    def __init__(self, config: LinkerConfig) -> None:
        self._config = config
        self._by_key: defaultdict[tuple[Key, Slot], set[str]] = defaultdict(set)
        self._filed: dict[str, set[tuple[Key, Slot]]] = {}
        self._group: dict[str, str | None] = {}
        self._person_count: defaultdict[str, int] = defaultdict(int)

    def __len__(self) -> int:
        return len(self._filed)

    def add(self, incident: IncidentState) -> None:
        """File (or re-file, after it changed) an incident under its keys."""
        incident_id = incident.incident_id
        slot = (incident.day, incident.day_exact)
        entries = {(key, slot) for key in self._incident_keys(incident)}
        filed = self._filed.get(incident_id, set())
        self._unfile(incident_id, filed - entries)
        for entry in entries - filed:
            self._by_key[entry].add(incident_id)
            if entry[0][0] == "person":
                self._person_count[str(entry[0][1])] += 1
        self._filed[incident_id] = entries
        self._group[incident_id] = actor_group(incident.actor)

    def remove(self, incident_id: str) -> None:
        self._group.pop(incident_id, None)
        self._unfile(incident_id, self._filed.pop(incident_id, set()))

    def _unfile(self, incident_id: str, entries: Iterable[tuple[Key, Slot]]) -> None:
        for entry in entries:
            _discard(self._by_key, entry, incident_id)
            if entry[0][0] == "person":
                person = str(entry[0][1])
                self._person_count[person] -= 1
                if self._person_count[person] <= 0:
                    del self._person_count[person]

    def candidates(self, article: ArticleFeatures) -> list[str]:
        """Ids of the open incidents worth scoring for the report, most promising first."""
        tally = self.hits(article)
        group = actor_group(article.actor)
        groups, limit = self._group, self._config.max_candidates
        best: list[str] = []
        for incident_id in sorted(tally, key=tally.__getitem__, reverse=True):
            # Reports by incompatible sides never link: they take no place in the list.
            if group is None or groups[incident_id] in (None, group):
                best.append(incident_id)
                if len(best) == limit:
                    break
        return best

    def hits(self, article: ArticleFeatures) -> dict[str, float]:
        """Every open incident sharing a key with the report on a compatible day, with its
        pre-score."""
        tally: dict[str, float] = {}
        get = tally.get
        keys = self._article_keys(article)
        weak = self._weak_keys(article)
        for slot, day_weight in self._slots(article):
            same_day = slot[1] and slot[0] == article.day and article.day_exact
            for kind_keys in (keys, weak) if same_day else (keys,):
                for key in kind_keys:
                    found = self._by_key.get((key, slot))
                    if not found:
                        continue
                    weight = _HIT_WEIGHT[key[0]]
                    first = day_weight + weight
                    for incident_id in found:
                        known = get(incident_id)
                        tally[incident_id] = first if known is None else known + weight
        return tally

    def incidents_naming(self, person: str) -> int:
        """How many open incidents name a person (common names weigh less)."""
        return self._person_count.get(person, 0)

    def _slots(self, article: ArticleFeatures) -> list[tuple[Slot, float]]:
        """The slots an incident the report may belong to can be filed under, with the
        pre-score of the day."""
        if article.day is None:
            return [((None, False), 0.0)]  # undated: the scorer takes any day
        window, follow = self._config.date_window_days, self._config.follow_days
        if article.day_exact:
            # Dated incidents within the window; undated ones by a report published
            # on the event's day or within the follow-up window after it.
            exact, published = (-window, window), (-window, follow)
        else:
            # The report's day is its publication: the event came before it, or just after.
            exact = published = (-follow, window)
        slots: list[tuple[Slot, float]] = [((None, False), 0.0)]
        for is_exact, (low, high) in ((True, exact), (False, published)):
            for offset in range(low, high + 1):
                weight = _SAME_DAY if offset == 0 and is_exact == article.day_exact else _NEAR_DAY
                slots.append(((article.day + timedelta(days=offset), is_exact), weight))
        return slots

    def _incident_keys(self, incident: IncidentState) -> set[Key]:
        size = self._config.near_cell_deg
        places = incident.places[: self._config.max_places]
        keys: set[Key] = {("person", p) for p in incident.people}
        keys |= {("militia", m) for m in incident.militias}
        for number, place in enumerate(places):
            if place.local:
                kind = "scene" if number == 0 else "place"
                keys |= {(kind, c) for c in neighbourhood(cell_of(place.lat, place.lon, size))}
            else:
                keys.add(("wide", _region(place)))
        if places:
            keys.add(("in", _region(places[0])))
        # The first reports and the latest: copies of a wire story come out together, and a
        # big incident (hundreds of reports) must not cost hundreds of keys at every link.
        sources = incident.sources
        if len(sources) > 2 * _TEXT_SOURCES:
            sources = sources[:_TEXT_SOURCES] + sources[-_TEXT_SOURCES:]
        keys |= {("text", h) for source in sources for h in source.fingerprint[:LEAD_HASHES]}
        return keys

    def _article_keys(self, article: ArticleFeatures) -> list[Key]:
        size = self._config.near_cell_deg
        places = article.places[: self._config.max_places]
        keys: list[Key] = [("person", p) for p in article.people]
        keys += [("militia", m) for m in article.militias]
        # The report's scene near the incident's scene or another of its places; the
        # report's other places near the incident's scene.
        for number, place in enumerate(places):
            if place.local:
                cell = cell_of(place.lat, place.lon, size)
                keys += [("scene", cell), ("place", cell)] if number == 0 else [("scene", cell)]
        keys += [("text", h) for h in article.sketch[:LEAD_HASHES]]
        return keys

    def _weak_keys(self, article: ArticleFeatures) -> list[Key]:
        """A country (or sea) as one's place holding the other's scene: same exact day only."""
        places = article.places[: self._config.max_places]
        if not places:
            return []
        keys: list[Key] = [("wide", _region(places[0]))]
        keys += [("in", _region(p)) for p in places if not p.local]
        return keys


def _region(place: Place) -> str:
    """The country a place is in, or the sea's name."""
    return place.country or place.name


def _discard(table: defaultdict[K, set[str]], key: K, value: str) -> None:
    bucket = table.get(key)
    if bucket is not None:
        bucket.discard(value)
        if not bucket:
            del table[key]
