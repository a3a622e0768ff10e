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

Each key is filed under the incident's day slot (its event day, or None when
undated, and whether that day is exact). A report looks up its keys in the
slots its own day allows, tallies a cheap pre-score per incident from the
keys it hit (the same evidence the scorer weighs, coarsely), drops incidents
of an incompatible actor, and hands the ``max_candidates`` best to the
scorer: a few hundred dictionary hits instead of a scan of every open
incident, and a bounded number of full scores however dense the day.

Memory: ten thousand open incidents are filed under some 400,000 keys, so the
index is lean. A text key held by no other incident, nine keys in ten, goes
to a ``TextTable`` (two flat arrays: fingerprint value to incident number;
the incident's day slot is checked after the lookup). The other keys go to
one dictionary per slot: ``(kind, value)``, or a text key's value when
another incident holds it too; a key held by one incident maps to its id
alone, only a shared key to a tuple of ids. The index keeps no list of what
it filed: ``filing`` reads an incident's keys from the incident itself, so
the linker reads them before the incident changes and ``refile`` touches
only the keys that changed.
"""

from __future__ import annotations

from datetime import date, timedelta

from newsingest.incidents.config import LinkerConfig
from newsingest.incidents.features import ArticleFeatures, Place, actor_group
from newsingest.incidents.geo import cell_of, neighbourhood
from newsingest.incidents.state import IncidentState
from newsingest.incidents.text import LEAD_HASHES
from newsingest.incidents.texttable import TextTable

Key = tuple[object, ...] | int
"""``(kind, value)`` (a cell: ``(kind, row, column)``), or a text key's fingerprint value."""
Slot = tuple[date | None, bool]
"""(event day or None, is the day exact?): the part of an entry a report's day must match."""
Bucket = str | tuple[str, ...]
"""The incident (its id) or incidents filed under one key of one slot."""
Filing = tuple[Slot, set[Key], set[int], tuple[str, ...]]
"""What an incident is filed under: its slot, its keys, its text keys (fingerprint
values), the people it names."""

# Pre-score of each kind of key hit: roughly what the scorer gives the same evidence.
_TEXT = 3.0
_SCENE = _MILITIA = _PERSON = 2.0
_PLACE = _IN = _WIDE = 1.0
_TEXT_SOURCES = 8
"""Sources at each end of an incident whose fingerprints it is filed under."""
_SAME_DAY = 2.0
_NEAR_DAY = 0.5


class IncidentIndex:
    def __init__(self, config: LinkerConfig) -> None:
        self._config = config
        self._by_slot: dict[Slot, dict[Key, Bucket]] = {}
        self._group: dict[str, str | None] = {}
        self._person_count: dict[str, int] = {}
        # Text keys held by one incident: value -> its number -> its id and day slot.
        self._text = TextTable()
        self._number: dict[str, int] = {}
        self._ids: list[str] = []
        self._days: list[date | None] = []
        self._exact = bytearray()
        self._free: list[int] = []

    def __len__(self) -> int:
        return len(self._group)

    def __contains__(self, incident_id: object) -> bool:
        return incident_id in self._group

    def add(self, incident: IncidentState) -> None:
        """File an incident under its keys (it must not be filed already)."""
        incident_id = incident.incident_id
        if incident_id in self._group:
            raise ValueError(f"incident {incident_id} is already in the index")
        if self._free:
            number = self._free.pop()
            self._ids[number] = incident_id
        else:
            number = len(self._ids)
            self._ids.append(incident_id)
            self._days.append(None)
            self._exact.append(0)
        self._number[incident_id] = number
        self._file(incident_id, self.filing(incident))
        self._group[incident_id] = actor_group(incident.actor)

    def remove(self, incident: IncidentState) -> None:
        """Take an incident out, as it was when filed (a no-op if it is not in)."""
        incident_id = incident.incident_id
        if incident_id not in self._group:
            return
        self._unfile(incident_id, self.filing(incident))
        del self._group[incident_id]
        number = self._number.pop(incident_id)
        self._ids[number] = ""
        self._days[number] = None
        self._free.append(number)

    def filing(self, incident: IncidentState) -> Filing:
        """What a filed incident is filed under: read it before the incident changes, and
        hand it to ``refile`` after."""
        keys, texts = self._incident_keys(incident)
        return (incident.day, incident.day_exact), keys, texts, incident.people

    def refile(self, incident: IncidentState, before: Filing) -> None:
        """File a changed incident under its keys now; ``before`` is its ``filing`` from
        before the change. Only the keys that changed are touched."""
        incident_id = incident.incident_id
        after = self.filing(incident)
        if after[0] != before[0]:
            self._unfile(incident_id, before)
            self._file(incident_id, after)
        else:
            slot, keys, texts, people = after
            table = self._by_slot.setdefault(slot, {})
            for key in before[1] - keys:
                _unfile(table, key, incident_id)
            for value in before[2] - texts:
                self._unfile_text(table, value, incident_id)
            for key in keys - before[1]:
                _file(table, key, incident_id)
            for value in texts - before[2]:
                self._file_text(table, value, incident_id)
            if not table:
                del self._by_slot[slot]
            if people is not before[3]:
                self._count_people(before[3], -1)
                self._count_people(people, 1)
        self._group[incident_id] = actor_group(incident.actor)

    def entries(self) -> set[tuple[Slot, Key, str]]:
        """Every (slot, key, incident id) filed, a text key as its value: for checks."""
        found: set[tuple[Slot, Key, str]] = {
            (slot, key, incident_id)
            for slot, table in self._by_slot.items()
            for key, bucket in table.items()
            for incident_id in ((bucket,) if isinstance(bucket, str) else bucket)
        }
        for value, number in self._text.items():
            found.add(((self._days[number], self._exact[number] == 1), value, self._ids[number]))
        return found

    def _file(self, incident_id: str, filing: Filing) -> None:
        slot, keys, texts, people = filing
        number = self._number[incident_id]
        self._days[number], self._exact[number] = slot[0], slot[1]
        table = self._by_slot.setdefault(slot, {})
        for key in keys:
            _file(table, key, incident_id)
        for value in texts:
            self._file_text(table, value, incident_id)
        if not table:
            del self._by_slot[slot]
        self._count_people(people, 1)

    def _unfile(self, incident_id: str, filing: Filing) -> None:
        slot, keys, texts, people = filing
        table = self._by_slot.get(slot, {})
        for key in keys:
            _unfile(table, key, incident_id)
        for value in texts:
            self._unfile_text(table, value, incident_id)
        if not table:
            self._by_slot.pop(slot, None)
        self._count_people(people, -1)

    def _file_text(self, table: dict[Key, Bucket], value: int, incident_id: str) -> None:
        """In the text table if no incident holds the value there yet, else in ``table``."""
        if self._text.get(value) is None:
            self._text.add(value, self._number[incident_id])
        else:
            _file(table, value, incident_id)

    def _unfile_text(self, table: dict[Key, Bucket], value: int, incident_id: str) -> None:
        if self._text.get(value) == self._number[incident_id]:
            self._text.discard(value)
        else:
            _unfile(table, value, incident_id)

    def _count_people(self, people: tuple[str, ...], change: int) -> None:
        counts = self._person_count
        for person in people:
            left = counts.get(person, 0) + change
            if left:
                counts[person] = left
            else:
                del counts[person]

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
        keys = self._article_keys(article)
        weak = self._weak_keys(article)
        lead = article.sketch[:LEAD_HASHES]
        alone = self._texts_alone(lead)
        text_weight = _TEXT
        for slot, day_weight in self._slots(article):
            table = self._by_slot.get(slot)
            alone_here = alone.get(slot) if alone else None
            if table is None and alone_here is None:
                continue
            if table is not None:
                for key, weight in keys:
                    if (found := table.get(key)) is not None:
                        _tally(tally, found, day_weight + weight, weight)
            for value in lead:
                if alone_here is not None and (only := alone_here.get(value)) is not None:
                    _tally(tally, only, day_weight + text_weight, text_weight)
                if table is not None and (found := table.get(value)) is not None:
                    _tally(tally, found, day_weight + text_weight, text_weight)
            if table is not None and slot[1] and slot[0] == article.day and article.day_exact:
                for key, weight in weak:
                    if (found := table.get(key)) is not None:
                        _tally(tally, found, day_weight + weight, weight)
        return tally

    def _texts_alone(self, lead: tuple[int, ...]) -> dict[Slot, dict[int, str]]:
        """The incidents the text table holds for lead values of a report, by day slot."""
        found: dict[Slot, dict[int, str]] = {}
        for value in lead:
            number = self._text.get(value)
            if number is not None:
                slot = (self._days[number], self._exact[number] == 1)
                found.setdefault(slot, {})[value] = self._ids[number]
        return found

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

    def _incident_keys(self, incident: IncidentState) -> tuple[set[Key], set[int]]:
        """The incident's keys, and apart its text keys (fingerprint values)."""
        size = self._config.near_cell_deg
        places = incident.places[: self._config.max_places]
        keys: set[Key] = {("person", p) for p in incident.people}
        keys |= {("militia", m) for m in incident.militias}
        for number, place in enumerate(places):
            if place.local:
                kind = "scene" if number == 0 else "place"
                cells = neighbourhood(cell_of(place.lat, place.lon, size))
                keys |= {(kind, row, col) for row, col in cells}
            else:
                keys.add(("wide", _region(place)))
        if places:
            keys.add(("in", _region(places[0])))
        # The first reports and the latest: copies of a wire story come out together, and a
        # big incident (hundreds of reports) must not cost hundreds of keys at every link.
        sources = incident.sources
        if len(sources) > 2 * _TEXT_SOURCES:
            sources = sources[:_TEXT_SOURCES] + sources[-_TEXT_SOURCES:]
        texts: set[int] = set()
        for source in sources:
            texts.update(source.lead)
        return keys, texts

    def _article_keys(self, article: ArticleFeatures) -> list[tuple[Key, float]]:
        size = self._config.near_cell_deg
        places = article.places[: self._config.max_places]
        keys: list[tuple[Key, float]] = [(("person", p), _PERSON) for p in article.people]
        keys += [(("militia", m), _MILITIA) for m in article.militias]
        # The report's scene near the incident's scene or another of its places; the
        # report's other places near the incident's scene.
        for number, place in enumerate(places):
            if place.local:
                row, col = cell_of(place.lat, place.lon, size)
                keys.append((("scene", row, col), _SCENE))
                if number == 0:
                    keys.append((("place", row, col), _PLACE))
        return keys

    def _weak_keys(self, article: ArticleFeatures) -> list[tuple[Key, float]]:
        """A country (or sea) as one's place holding the other's scene: same exact day only."""
        places = article.places[: self._config.max_places]
        if not places:
            return []
        keys: list[tuple[Key, float]] = [(("wide", _region(places[0])), _WIDE)]
        keys += [(("in", _region(p)), _IN) for p in places if not p.local]
        return keys


def _tally(tally: dict[str, float], found: Bucket, first: float, weight: float) -> None:
    """Count a key hit for each incident of ``found``: ``first`` (the day's and the key's
    weight) for an incident not hit yet, ``weight`` more for one hit already."""
    if isinstance(found, str):
        known = tally.get(found)
        tally[found] = first if known is None else known + weight
        return
    for incident_id in found:
        known = tally.get(incident_id)
        tally[incident_id] = first if known is None else known + weight


def _file(table: dict[Key, Bucket], key: Key, incident_id: str) -> None:
    bucket = table.get(key)
    if bucket is None:
        table[key] = incident_id
    elif isinstance(bucket, str):
        table[key] = (bucket, incident_id)
    else:
        table[key] = (*bucket, incident_id)


def _unfile(table: dict[Key, Bucket], key: Key, incident_id: str) -> None:
    bucket = table[key]
    if isinstance(bucket, str):
        del table[key]
        return
    at = bucket.index(incident_id)
    rest = bucket[:at] + bucket[at + 1 :]
    table[key] = rest[0] if len(rest) == 1 else rest


def _region(place: Place) -> str:
    """The country a place is in, or the sea's name."""
    return place.country or place.name
