"""The linker's knobs, with the reasons for their defaults."""

from __future__ import annotations

from dataclasses import dataclass

KM_PER_DEGREE = 111.2


@dataclass(frozen=True, slots=True)
class LinkerConfig:
    date_window_days: int = 1
    """Two reports whose event dates differ by more never link (one day allows time zones)."""
    follow_days: int = 4
    """A report without an event date may appear this long after the incident's date."""
    max_distance_km: float = 150.0
    """Two reports whose scenes lie further apart never link (province-level tags are coarse)."""
    near_km: float = 30.0
    """Scenes this close count as the same place (a city and its districts)."""
    link_threshold: float = 3.5
    """Score a candidate needs to be linked; below it the report opens a new incident."""
    duplicate_similarity: float = 0.6
    """Estimated Jaccard of shingles above which a report is a copy of an earlier one."""
    close_after_days: float = 10.0
    """An incident with no new report for this long (in stream time) closes."""
    sketch_k: int = 64
    shingle_size: int = 4
    people_chars: int = 2000
    """Names are taken from the start of the text: later ones are mostly background."""
    max_places: int = 3
    """Places of an article looked up in the index (first mentions only)."""

    @property
    def cell_deg(self) -> float:
        """Grid size such that any two points within ``max_distance_km`` are in
        neighbouring cells, up to 60 degrees of latitude."""
        return self.max_distance_km / (KM_PER_DEGREE * 0.5)
