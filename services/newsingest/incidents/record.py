"""The incident record on ``news.incidents``: one real strike, every report of it.

A compacted topic keyed by ``incident_id``: each version replaces the last, so
the record carries the whole incident (every source, every casualty claim),
never a delta. It also carries what the linker needs to carry on linking after
a restart (places, militia ids, people, text fingerprints), so the topic alone
rebuilds the stage's memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newsingest.records import Actor, MilitiaRole, StrikeType

INCIDENT_SCHEMA = "newsingest.incident/1"


@dataclass(frozen=True, slots=True)
class IncidentPlace:
    name: str
    country: str | None
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class IncidentMilitia:
    id: str
    name: str
    role: MilitiaRole


@dataclass(frozen=True, slots=True)
class SourceClaim:
    """One source's casualty figure: the range its article gave, and who it quoted."""

    article_id: str
    source_domain: str
    published_at: str | None
    min: int
    max: int
    claimants: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CasualtyRange:
    """All sources' claims for one kind of casualty, and the range they span.

    ``latest`` is the figure (the upper end) of the most recently published
    source that gave one: later reports revise tolls, mostly upwards.
    """

    min: int
    max: int
    latest: int
    claims: list[SourceClaim] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class IncidentCasualties:
    killed: CasualtyRange | None = None
    injured: CasualtyRange | None = None


@dataclass(frozen=True, slots=True)
class IncidentSource:
    """One report linked to the incident.

    ``confidence`` is how sure the linker was of this link (1.0 for the report
    that opened the incident). ``duplicate_of`` names an earlier source whose
    text this one nearly repeats (a syndicated wire copy). ``fingerprint`` is a
    bottom-k MinHash of the text's word shingles (48-bit values, JSON-safe).
    """

    article_id: str
    source_domain: str
    url: str
    title: str | None
    published_at: str | None
    linked_at: str
    confidence: float
    event_date: str | None = None
    duplicate_of: str | None = None
    fingerprint: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    incident_id: str
    version: int
    first_seen: str
    last_seen: str
    updated_at: str
    headline: str | None
    event_date: str | None
    location: IncidentPlace | None
    actor: Actor | None
    type: StrikeType | None
    targets: list[IncidentMilitia]
    militias: list[IncidentMilitia]
    places: list[IncidentPlace]
    people: list[str]
    weapons: list[str]
    casualties: IncidentCasualties
    sources: list[IncidentSource]
    closed: bool = False
    merged_into: str | None = None
    """Set on the last version of an incident found to be part of another (which now
    holds all its sources): two reports of one strike opened two incidents before a
    third report tied them together."""
    schema: str = INCIDENT_SCHEMA
