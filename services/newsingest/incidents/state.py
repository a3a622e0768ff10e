"""An open incident in the linker's memory: what it is compared on, and its record.

The state is mutable (reports keep joining); every change yields a new frozen
``IncidentRecord`` with the next version. ``from_record`` is the way back, so
the compacted topic rebuilds the state after a restart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from newsingest.incidents.features import ArticleFeatures, Place, parse_day, parse_time
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


@dataclass(slots=True)
class IncidentState:
    incident_id: str
    version: int = 0
    closed: bool = False
    merged_into: str | None = None
    sources: list[IncidentSource] = field(default_factory=list)
    killed: list[SourceClaim] = field(default_factory=list)
    injured: list[SourceClaim] = field(default_factory=list)
    exact_days: Counter[date] = field(default_factory=Counter)
    first_day: date | None = None
    places: list[Place] = field(default_factory=list)
    actors: Counter[Actor] = field(default_factory=Counter)
    types: Counter[StrikeType] = field(default_factory=Counter)
    militias: dict[str, IncidentMilitia] = field(default_factory=dict)
    targets: set[str] = field(default_factory=set)
    perpetrators: set[str] = field(default_factory=set)
    principals: set[str] = field(default_factory=set)
    people: set[str] = field(default_factory=set)
    weapons: set[str] = field(default_factory=set)
    last_seen: datetime | None = None
    first_seen: datetime | None = None
    latest: IncidentRecord | None = None
    by_hash: dict[int, list[IncidentSource]] = field(default_factory=dict)
    """Sources by the smallest values of their fingerprints: which may be like a new text."""

    # What the scorer compares, kept up to date by ``_refresh`` (read per candidate).
    day: date | None = None
    """The event's day: the most reported exact date, else the first report's day."""
    day_exact: bool = False
    actor: Actor | None = None
    type: StrikeType | None = None

    def sources_sharing(self, hashes: Iterable[int], limit: int = 4) -> list[IncidentSource]:
        """The sources whose fingerprints start with one of ``hashes`` (the likely similar),
        at most ``limit`` of them, those sharing the most first."""
        found: dict[str, IncidentSource] = {}
        shared: Counter[str] = Counter()
        for value in hashes:
            for source in self.by_hash.get(value, ()):
                found[source.article_id] = source
                shared[source.article_id] += 1
        if len(found) <= limit:
            return list(found.values())
        return [found[article_id] for article_id, _ in shared.most_common(limit)]

    def _file_hashes(self, source: IncidentSource) -> None:
        for value in source.fingerprint[:LEAD_HASHES]:
            self.by_hash.setdefault(value, []).append(source)

    @property
    def place(self) -> Place | None:
        return self.places[0] if self.places else None

    def _refresh(self) -> None:
        if self.exact_days:
            self.day = max(self.exact_days.items(), key=lambda kv: (kv[1], -kv[0].toordinal()))[0]
        else:
            self.day = self.first_day
        self.day_exact = bool(self.exact_days)
        self.actor = self.actors.most_common(1)[0][0] if self.actors else None
        self.type = self.types.most_common(1)[0][0] if self.types else None

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
        source = IncidentSource(
            article_id=article.article_id,
            source_domain=article.source_domain,
            url=article.canonical_url or article.url,
            title=article.title,
            published_at=article.published_at,
            linked_at=linked_at,
            confidence=round(confidence, 4),
            event_date=features.day.isoformat() if features.day_exact and features.day else None,
            duplicate_of=duplicate_of,
            fingerprint=list(features.sketch),
        )
        self.sources.append(source)
        self._file_hashes(source)
        if features.day_exact and features.day:
            self.exact_days[features.day] += 1
        elif self.first_day is None:
            self.first_day = features.day
        for place in features.places:
            if len(self.places) < MAX_PLACES and all(p.name != place.name for p in self.places):
                self.places.append(place)
        if features.actor:
            self.actors[features.actor] += 1
        if features.type:
            self.types[features.type] += 1
        for tag in article.tags.militias:
            known = self.militias.get(tag.id)
            if known is None or _stronger(tag.role, known.role):
                self.militias[tag.id] = IncidentMilitia(tag.id, tag.name, tag.role)
        self.targets |= features.targets
        self.perpetrators |= features.perpetrators
        self.principals |= features.principals
        self.people |= features.people
        self.weapons |= features.weapons
        seen = features.published or parse_time(article.fetched_at) or parse_time(linked_at)
        if seen is not None:
            self.first_seen = seen if self.first_seen is None else min(self.first_seen, seen)
            self.last_seen = seen if self.last_seen is None else max(self.last_seen, seen)
        casualties = article.tags.casualties
        if casualties.killed is not None:
            self.killed.append(_claim(article, casualties.killed))
        if casualties.injured is not None:
            self.injured.append(_claim(article, casualties.injured))
        self._refresh()

    def record(self, *, updated_at: str) -> IncidentRecord:
        """The next version of the incident's record."""
        self.version += 1
        earliest = min(self.sources, key=lambda s: s.published_at or s.linked_at)
        place = self.place
        self.latest = IncidentRecord(
            incident_id=self.incident_id,
            version=self.version,
            first_seen=_iso(self.first_seen) or earliest.linked_at,
            last_seen=_iso(self.last_seen) or earliest.linked_at,
            updated_at=updated_at,
            headline=earliest.title,
            event_date=self.day.isoformat() if self.day else None,
            location=_incident_place(place) if place else None,
            actor=self.actor,
            type=self.type,
            targets=[m for m in self.militias.values() if m.role == "target"],
            militias=list(self.militias.values()),
            places=[_incident_place(p) for p in self.places],
            people=sorted(self.people),
            weapons=sorted(self.weapons),
            casualties=IncidentCasualties(killed=_range(self.killed), injured=_range(self.injured)),
            sources=list(self.sources),
            closed=self.closed,
            merged_into=self.merged_into,
        )
        return self.latest

    @classmethod
    def from_record(cls, record: IncidentRecord) -> IncidentState:
        """Rebuild the state a record was made from (the restart path)."""
        state = cls(incident_id=record.incident_id, version=record.version, closed=record.closed)
        state.sources = list(record.sources)
        for source in state.sources:
            state._file_hashes(source)
        state.killed = list(record.casualties.killed.claims) if record.casualties.killed else []
        state.injured = list(record.casualties.injured.claims) if record.casualties.injured else []
        for source in record.sources:
            exact = parse_day(source.event_date)
            if exact:
                state.exact_days[exact] += 1
        if not state.exact_days:
            state.first_day = parse_day(record.event_date)
        state.places = [
            Place(p.name, p.country, p.lat, p.lon)
            for p in record.places
            if p.lat is not None and p.lon is not None
        ]
        if record.actor:
            state.actors[record.actor] += 1
        if record.type:
            state.types[record.type] += 1
        state.militias = {m.id: m for m in record.militias}
        state.targets = {m.id for m in record.militias if m.role == "target"}
        state.perpetrators = {m.id for m in record.militias if m.role == "perpetrator"}
        state.principals = state.targets | state.perpetrators
        state.people = set(record.people)
        state.weapons = set(record.weapons)
        state.first_seen = parse_time(record.first_seen)
        state.last_seen = parse_time(record.last_seen)
        state.latest = record
        state._refresh()
        return state

    def absorb(self, other: IncidentState) -> None:
        """Take in every source and claim of an incident that turned out to be this one."""
        self.sources = sorted(
            self.sources + other.sources, key=lambda s: s.published_at or s.linked_at
        )
        for source in other.sources:
            self._file_hashes(source)
        self.killed += other.killed
        self.injured += other.injured
        self.exact_days += other.exact_days
        if other.first_day and (self.first_day is None or other.first_day < self.first_day):
            self.first_day = other.first_day
        for place in other.places:
            if len(self.places) < MAX_PLACES and all(p.name != place.name for p in self.places):
                self.places.append(place)
        self.actors += other.actors
        self.types += other.types
        for militia in other.militias.values():
            known = self.militias.get(militia.id)
            if known is None or _stronger(militia.role, known.role):
                self.militias[militia.id] = militia
        self.targets |= other.targets
        self.perpetrators |= other.perpetrators
        self.principals |= other.principals
        self.people |= other.people
        self.weapons |= other.weapons
        for seen in (other.first_seen, other.last_seen):
            if seen is not None:
                self.first_seen = seen if self.first_seen is None else min(self.first_seen, seen)
                self.last_seen = seen if self.last_seen is None else max(self.last_seen, seen)
        self._refresh()

    def close(self, *, updated_at: str, merged_into: str | None = None) -> IncidentRecord:
        self.merged_into = merged_into
        self.closed = True
        return self.record(updated_at=updated_at)


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


def _range(claims: list[SourceClaim]) -> CasualtyRange | None:
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
