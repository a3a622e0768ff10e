"""An open incident in the linker's memory: what it is compared on, and its record.

The state is mutable (reports keep joining); every change yields a new frozen
``IncidentRecord`` with the next version. ``from_record`` is the way back, so
the compacted topic rebuilds the state after a restart.

Ten thousand open incidents live in one process, so the state is compact: a
source's fingerprint is packed in one ``bytes`` (8 bytes a value, where a list
of Python ints takes 40), what recurs (outlets, places, militias, people,
dates, tallies of one) is one shared object, small sets are tuples, and what
can be derived is not kept: the current record is rebuilt from the state when
asked for again (a redelivered report), the event day's tally is counted from
the sources, and the sources like a new text are found from their
fingerprints' first values (a big incident keeps a table of them).
"""

from __future__ import annotations

import functools
import struct
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar, cast

from newsingest.errors import InvalidRecordError
from newsingest.incidents.features import (
    ArticleFeatures,
    Place,
    parse_day,
    parse_time,
    shared_place,
)
from newsingest.incidents.record import (
    CasualtyRange,
    IncidentCasualties,
    IncidentMilitia,
    IncidentPlace,
    IncidentRecord,
    IncidentSource,
    SourceClaim,
)
from newsingest.incidents.text import LEAD_HASHES
from newsingest.records import Actor, ArticleRecord, CasualtyCount, MilitiaRole, StrikeType

MAX_PLACES = 10
SCAN_SOURCES = 8
"""Up to this many sources, those like a new text are found by reading their lead values;
a bigger incident keeps them in a table (``lead_table``) once asked."""
_ONE = 1.0
_FINGERPRINT = "Q"
"""Unsigned 64-bit: a fingerprint's values are 48-bit."""
_LEAD = struct.Struct(f"={LEAD_HASHES}Q")

T = TypeVar("T")
S = TypeVar("S", bound=str)
Tally = tuple[tuple[T, int], ...]
"""Counts in first-counted order: most common as a Counter's (ties to the first counted),
without a dictionary each."""


def intern(value: S) -> S:
    """One copy of a string that many incidents hold (an outlet, a place, a name)."""
    return cast(S, sys.intern(value))


def _interned(value: S | None) -> S | None:
    return None if value is None else intern(value)


class HeldSource:
    """A source as an open incident holds it: ``IncidentSource`` with its fingerprint
    packed. ``record()`` gives the record's source back, field for field."""

    __slots__ = (
        "article_id",
        "confidence",
        "duplicate_of",
        "event_date",
        "linked_at",
        "packed",
        "published_at",
        "source_domain",
        "title",
        "url",
    )

    def __init__(
        self,
        *,
        article_id: str,
        source_domain: str,
        url: str,
        title: str | None,
        published_at: str | None,
        linked_at: str,
        confidence: float,
        event_date: str | None,
        duplicate_of: str | None,
        fingerprint: Iterable[int],
    ) -> None:
        self.article_id = article_id
        self.source_domain = intern(source_domain)
        self.url = url
        self.title = title
        self.published_at = published_at
        self.linked_at = linked_at
        # The report that opened an incident has 1.0: one float object for them all.
        self.confidence = _ONE if confidence == 1.0 and type(confidence) is float else confidence
        self.event_date = _interned(event_date)
        self.duplicate_of = duplicate_of
        try:
            self.packed = array(_FINGERPRINT, fingerprint).tobytes()
        except (OverflowError, TypeError) as exc:
            raise InvalidRecordError(f"source {article_id}: fingerprint: {exc}") from None

    @property
    def fingerprint(self) -> array[int]:
        """The fingerprint's values (a copy)."""
        values = array(_FINGERPRINT)
        values.frombytes(self.packed)
        return values

    @property
    def lead(self) -> tuple[int, ...]:
        """The fingerprint's first ``LEAD_HASHES`` values."""
        if len(self.packed) >= _LEAD.size:
            return _LEAD.unpack_from(self.packed)
        return struct.unpack(f"={len(self.packed) // 8}Q", self.packed)

    @classmethod
    def from_record(cls, source: IncidentSource) -> HeldSource:
        return cls(
            article_id=source.article_id,
            source_domain=source.source_domain,
            url=source.url,
            title=source.title,
            published_at=source.published_at,
            linked_at=source.linked_at,
            confidence=source.confidence,
            event_date=source.event_date,
            duplicate_of=source.duplicate_of,
            fingerprint=source.fingerprint,
        )

    def record(self) -> IncidentSource:
        return IncidentSource(
            article_id=self.article_id,
            source_domain=self.source_domain,
            url=self.url,
            title=self.title,
            published_at=self.published_at,
            linked_at=self.linked_at,
            confidence=self.confidence,
            event_date=self.event_date,
            duplicate_of=self.duplicate_of,
            fingerprint=self.fingerprint.tolist(),
        )

    def __repr__(self) -> str:
        return f"HeldSource({self.article_id!r}, {self.source_domain!r})"


@dataclass(slots=True)
class IncidentState:
    incident_id: str
    version: int = 0
    closed: bool = False
    merged_into: str | None = None
    updated_at: str = ""
    """When the current version was made (its record's ``updated_at``)."""
    sources: list[HeldSource] = field(default_factory=list)
    filing: list[HeldSource] | None = None
    """The sources in the order they joined, when a merge made it differ from ``sources``
    (which follows publication): similar sources are offered in this order."""
    lead_table: dict[int, list[HeldSource]] | None = None
    """Sources by their fingerprints' lead values, in the order they joined: kept by an
    incident of more than ``SCAN_SOURCES`` sources, once they were looked up."""
    killed: tuple[SourceClaim, ...] = ()
    injured: tuple[SourceClaim, ...] = ()
    first_day: date | None = None
    places: tuple[Place, ...] = ()
    actors: Tally[Actor] = ()
    types: Tally[StrikeType] = ()
    militias: dict[str, IncidentMilitia] = field(default_factory=dict)
    targets: tuple[str, ...] = ()
    perpetrators: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    weapons: tuple[str, ...] = ()
    last_seen: datetime | None = None
    first_seen: datetime | None = None

    # What the scorer compares, kept up to date by ``_refresh`` (read per candidate).
    day: date | None = None
    """The event's day: the most reported exact date, else the first report's day."""
    day_exact: bool = False
    actor: Actor | None = None
    type: StrikeType | None = None

    @property
    def principals(self) -> tuple[str, ...]:
        """Militia ids tagged as a target or a perpetrator."""
        return self.targets + self.perpetrators

    def sources_sharing(self, hashes: Sequence[int], limit: int = 4) -> list[HeldSource]:
        """The sources whose fingerprints start with one of ``hashes`` (the likely similar),
        at most ``limit`` of them, those sharing the most first.

        In the order of the first of ``hashes`` each shares, then of joining; beyond
        ``limit``, the most sharing (ties in that order).
        """
        joined = self.filing or self.sources
        if len(joined) <= SCAN_SOURCES:
            return _sharing_by_scan(joined, hashes, limit)
        if self.lead_table is None:
            self.lead_table = {}
            for source in joined:
                self._file_lead(source)
        return _sharing_by_table(self.lead_table, hashes, limit)

    def _file_lead(self, source: HeldSource) -> None:
        assert self.lead_table is not None
        for value in source.lead:
            self.lead_table.setdefault(value, []).append(source)

    @property
    def place(self) -> Place | None:
        return self.places[0] if self.places else None

    def _refresh(self) -> None:
        exact_days = self._exact_days()
        if exact_days:
            self.day = max(exact_days.items(), key=lambda kv: (kv[1], -kv[0].toordinal()))[0]
        else:
            self.day = self.first_day
        self.day_exact = bool(exact_days)
        self.actor = _most_common(self.actors)
        self.type = _most_common(self.types)

    def _exact_days(self) -> Counter[date]:
        """How many sources gave each exact event date."""
        days: Counter[date] = Counter()
        for value, count in Counter(s.event_date for s in self.sources if s.event_date).items():
            exact = parse_day(value)
            if exact:
                days[exact] += count
        return days

    # --- changes ----------------------------------------------------------------

    def add(
        self,
        article: ArticleRecord,
        features: ArticleFeatures,
        *,
        confidence: float,
        duplicate_of: str | None,
        linked_at: str,
    ) -> None:
        """Take one more report into the incident."""
        source = HeldSource(
            article_id=article.article_id,
            source_domain=article.source_domain,
            url=article.canonical_url or article.url,
            title=article.title,
            published_at=article.published_at,
            linked_at=linked_at,
            confidence=round(confidence, 4),
            event_date=features.day.isoformat() if features.day_exact and features.day else None,
            duplicate_of=duplicate_of,
            fingerprint=features.sketch,
        )
        self.sources.append(source)
        if self.filing is not None:
            self.filing.append(source)
        if self.lead_table is not None:
            self._file_lead(source)
        if not (features.day_exact and features.day) and self.first_day is None:
            self.first_day = features.day
        self._add_places(features.places)
        if features.actor:
            self.actors = _counted(self.actors, features.actor)
        if features.type:
            self.types = _counted(self.types, features.type)
        for tag in article.tags.militias:
            known = self.militias.get(tag.id)
            if known is None or _stronger(tag.role, known.role):
                self.militias[intern(tag.id)] = _militia(tag.id, tag.name, tag.role)
        self.targets = _union(self.targets, features.targets)
        self.perpetrators = _union(self.perpetrators, features.perpetrators)
        self.people = _union(self.people, features.people)
        self.weapons = _union(self.weapons, features.weapons)
        seen = features.published or parse_time(article.fetched_at) or parse_time(linked_at)
        if seen is not None:
            self.first_seen = seen if self.first_seen is None else min(self.first_seen, seen)
            self.last_seen = seen if self.last_seen is None else max(self.last_seen, seen)
        casualties = article.tags.casualties
        if casualties.killed is not None:
            self.killed += (_claim(article, casualties.killed),)
        if casualties.injured is not None:
            self.injured += (_claim(article, casualties.injured),)
        self._refresh()

    def _add_places(self, places: Iterable[Place]) -> None:
        added = list(self.places)
        for place in places:
            if len(added) < MAX_PLACES and all(p.name != place.name for p in added):
                added.append(place)
        if len(added) > len(self.places):
            self.places = tuple(added)

    def record(self, *, updated_at: str) -> IncidentRecord:
        """The next version of the incident's record."""
        self.version += 1
        self.updated_at = updated_at
        return self.current()

    def current(self) -> IncidentRecord:
        """The current version's record again (what ``record`` or ``from_record`` last saw)."""
        sources = [s.record() for s in self.sources]
        earliest = min(sources, key=lambda s: s.published_at or s.linked_at)
        place = self.place
        militias = list(self.militias.values())
        return IncidentRecord(
            incident_id=self.incident_id,
            version=self.version,
            first_seen=_iso(self.first_seen) or earliest.linked_at,
            last_seen=_iso(self.last_seen) or earliest.linked_at,
            updated_at=self.updated_at,
            headline=earliest.title,
            event_date=self.day.isoformat() if self.day else None,
            location=_incident_place(place) if place else None,
            actor=self.actor,
            type=self.type,
            targets=[m for m in militias if m.role == "target"],
            militias=militias,
            places=[_incident_place(p) for p in self.places],
            people=sorted(self.people),
            weapons=sorted(self.weapons),
            casualties=IncidentCasualties(killed=_range(self.killed), injured=_range(self.injured)),
            sources=sources,
            closed=self.closed,
            merged_into=self.merged_into,
        )

    @classmethod
    def from_record(cls, record: IncidentRecord) -> IncidentState:
        """Rebuild the state a record was made from (the restart path).

        ``current()`` then gives the record back, for any record ``record()`` made.
        """
        state = cls(
            incident_id=record.incident_id,
            version=record.version,
            closed=record.closed,
            updated_at=record.updated_at,
        )
        state.sources = [HeldSource.from_record(s) for s in record.sources]
        state.killed = tuple(record.casualties.killed.claims) if record.casualties.killed else ()
        state.injured = tuple(record.casualties.injured.claims) if record.casualties.injured else ()
        if not state._exact_days():
            state.first_day = parse_day(record.event_date)
        state.places = tuple(
            shared_place(p.name, p.country, p.lat, p.lon)
            for p in record.places
            if p.lat is not None and p.lon is not None
        )
        if record.actor:
            state.actors = _counted((), record.actor)
        if record.type:
            state.types = _counted((), record.type)
        state.militias = {intern(m.id): _militia(m.id, m.name, m.role) for m in record.militias}
        state.targets = tuple(m for m in state.militias if state.militias[m].role == "target")
        state.perpetrators = tuple(
            m for m in state.militias if state.militias[m].role == "perpetrator"
        )
        state.people = tuple(intern(p) for p in dict.fromkeys(record.people))
        state.weapons = tuple(intern(w) for w in dict.fromkeys(record.weapons))
        state.first_seen = parse_time(record.first_seen)
        if record.last_seen == record.first_seen:
            state.last_seen = state.first_seen
        else:
            state.last_seen = parse_time(record.last_seen)
        state._refresh()
        return state

    def absorb(self, other: IncidentState) -> None:
        """Take in every source and claim of an incident that turned out to be this one."""
        # Joined so far, then the other's sources as it lists them.
        self.filing = (self.filing or self.sources) + other.sources
        self.lead_table = None
        self.sources = sorted(
            self.sources + other.sources, key=lambda s: s.published_at or s.linked_at
        )
        self.killed += other.killed
        self.injured += other.injured
        if other.first_day and (self.first_day is None or other.first_day < self.first_day):
            self.first_day = other.first_day
        self._add_places(other.places)
        for actor, count in other.actors:
            self.actors = _counted(self.actors, actor, count)
        for kind, count in other.types:
            self.types = _counted(self.types, kind, count)
        for militia in other.militias.values():
            known = self.militias.get(militia.id)
            if known is None or _stronger(militia.role, known.role):
                self.militias[militia.id] = militia
        self.targets = _union(self.targets, other.targets)
        self.perpetrators = _union(self.perpetrators, other.perpetrators)
        self.people = _union(self.people, other.people)
        self.weapons = _union(self.weapons, other.weapons)
        for seen in (other.first_seen, other.last_seen):
            if seen is not None:
                self.first_seen = seen if self.first_seen is None else min(self.first_seen, seen)
                self.last_seen = seen if self.last_seen is None else max(self.last_seen, seen)
        self._refresh()

    def close(self, *, updated_at: str, merged_into: str | None = None) -> IncidentRecord:
        self.merged_into = merged_into
        self.closed = True
        return self.record(updated_at=updated_at)


def _sharing_by_scan(
    joined: Sequence[HeldSource], hashes: Sequence[int], limit: int
) -> list[HeldSource]:
    """``sources_sharing`` by reading each source's lead values."""
    rank = {value: number for number, value in enumerate(hashes)}
    wanted = rank.keys()
    found: list[tuple[int, int, int, HeldSource]] = []
    for position, source in enumerate(joined):
        lead = source.lead
        if wanted.isdisjoint(lead):  # most sources: nothing in common
            continue
        shared = [rank[value] for value in lead if value in rank]
        found.append((min(shared), position, len(shared), source))
    found.sort(key=lambda f: (f[0], f[1]))
    if len(found) > limit:
        found = sorted(found, key=lambda f: -f[2])[:limit]
    return [f[3] for f in found]


def _sharing_by_table(
    table: dict[int, list[HeldSource]], hashes: Sequence[int], limit: int
) -> list[HeldSource]:
    """``sources_sharing`` by looking ``hashes`` up in a table of sources by lead value."""
    found: dict[int, HeldSource] = {}
    shared: Counter[int] = Counter()
    for value in hashes:
        for source in table.get(value, ()):
            found[id(source)] = source
            shared[id(source)] += 1
    if len(found) <= limit:
        return list(found.values())
    return [found[key] for key, _ in shared.most_common(limit)]


def _union(held: tuple[str, ...], more: Iterable[str]) -> tuple[str, ...]:
    """``held`` and the strings of ``more`` it lacks (interned), as a tuple."""
    new = [intern(value) for value in more if value not in held]
    return held + tuple(dict.fromkeys(new)) if new else held


def _counted(tally: Tally[S], value: S, count: int = 1) -> Tally[S]:
    """``tally`` with ``value`` counted ``count`` times more."""
    if not tally and count == 1:
        return cast(Tally[S], _once(value))
    for number, (known, held) in enumerate(tally):
        if known == value:
            return (*tally[:number], (known, held + count), *tally[number + 1 :])
    return (*tally, (intern(value), count))


@functools.lru_cache(maxsize=256)
def _once(value: str) -> Tally[str]:
    """A tally of one value counted once, shared: most incidents have one actor, one type."""
    return ((intern(value), 1),)


@functools.lru_cache(maxsize=4096)
def _militia(militia_id: str, name: str, role: MilitiaRole) -> IncidentMilitia:
    """One (frozen) militia tag shared by the incidents that name it so."""
    return IncidentMilitia(intern(militia_id), intern(name), intern(role))


def _most_common(tally: Tally[T]) -> T | None:
    """The value counted most; of equal counts, the first counted (as ``Counter``)."""
    return max(tally, key=lambda pair: pair[1])[0] if tally else None


_ROLE_RANK: dict[MilitiaRole, int] = {"mentioned": 0, "perpetrator": 1, "target": 2}


def _stronger(new: MilitiaRole, old: MilitiaRole) -> bool:
    return _ROLE_RANK[new] > _ROLE_RANK[old]


def _claim(article: ArticleRecord, count: CasualtyCount) -> SourceClaim:
    claimants = sorted({c.claimant for c in count.claims if c.claimant})
    return SourceClaim(
        article_id=article.article_id,
        source_domain=article.source_domain,
        published_at=article.published_at,
        min=count.min,
        max=count.max,
        claimants=claimants,
    )


def _range(claims: tuple[SourceClaim, ...]) -> CasualtyRange | None:
    if not claims:
        return None
    # Stable sort: among equal times, the claim linked last is the latest word.
    latest = sorted(claims, key=lambda c: c.published_at or "")[-1]
    return CasualtyRange(
        min=min(c.min for c in claims),
        max=max(c.max for c in claims),
        latest=latest.max,
        claims=list(claims),
    )


def _incident_place(place: Place) -> IncidentPlace:
    return IncidentPlace(place.name, place.country, place.lat, place.lon)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")
