"""Open incidents by militia, place and day, so a report meets only plausible ones.

Every open incident is filed under keys — each principal militia id, the grid
cell of its scene, each person named — paired with its event day (or None when
it has none). A report looks up its own keys over the days it could belong to,
plus the undated bucket: a handful of dictionary hits instead of a scan of
every open incident.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TypeVar

from newsingest.incidents.config import LinkerConfig
from newsingest.incidents.features import ArticleFeatures
from newsingest.incidents.geo import cell_of, neighbourhood
from newsingest.incidents.state import IncidentState

Key = tuple[str, object]
K = TypeVar("K")


class IncidentIndex:
    def __init__(self, config: LinkerConfig) -> None:
        self._config = config
        self._by_key: defaultdict[tuple[Key, date | None], set[str]] = defaultdict(set)
        self._by_key_any_day: defaultdict[Key, set[str]] = defaultdict(set)
        self._filed: dict[str, list[tuple[Key, date | None]]] = {}
        self._person_count: defaultdict[str, int] = defaultdict(int)

    def __len__(self) -> int:
        return len(self._filed)

    def add(self, incident: IncidentState) -> None:
        """File (or re-file, after it changed) an incident under its keys."""
        self.remove(incident.incident_id)
        day = incident.day
        entries = [(key, day) for key in self._incident_keys(incident)]
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
                found |= self._by_key_any_day.get(key, set())
            return found
        for day in [*self._days(article), None]:
            for key in keys:
                found |= self._by_key.get((key, day), set())
        return found

    def incidents_naming(self, person: str) -> int:
        """How many open incidents name a person (common names weigh less)."""
        return self._person_count.get(person, 0)

    def _days(self, article: ArticleFeatures) -> Iterable[date]:
        assert article.day is not None
        window = self._config.date_window_days
        if article.day_exact:
            # Incidents dated exactly, or by a report published within the follow-up window.
            low, high = -window, max(window, self._config.follow_days)
        else:
            # The report's day is its publication: the event came before it, or just after.
            low, high = -self._config.follow_days, window
        return (article.day + timedelta(days=offset) for offset in range(low, high + 1))

    def _incident_keys(self, incident: IncidentState) -> set[Key]:
        keys: set[Key] = {("militia", m) for m in incident.principals}
        keys |= {("person", p) for p in incident.people}
        if incident.place is not None:
            keys.add(
                ("cell", cell_of(incident.place.lat, incident.place.lon, self._config.cell_deg))
            )
        return keys

    def _article_keys(self, article: ArticleFeatures) -> set[Key]:
        keys: set[Key] = {("militia", m) for m in article.principals}
        keys |= {("person", p) for p in article.people}
        for place in article.places[: self._config.max_places]:
            cell = cell_of(place.lat, place.lon, self._config.cell_deg)
            keys |= {("cell", c) for c in neighbourhood(cell)}
        return keys


def _discard(table: defaultdict[K, set[str]], key: K, value: str) -> None:
    bucket = table.get(key)
    if bucket is not None:
        bucket.discard(value)
        if not bucket:
            del table[key]
