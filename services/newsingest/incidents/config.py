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
    """Two reports whose places lie further apart, beyond what each place covers (a
    province, a country), never link."""
    near_km: float = 30.0
    """Scenes this close count as the same place (a city and its districts)."""
    link_threshold: float = 3.5
    """Score a candidate needs to be linked; below it the report opens a new incident."""
    merge_margin: float = 0.5
    """A report folds a second incident into its best one when it scores this much above
    the threshold with it too: merging is undone by nothing, so it asks for more."""
    duplicate_similarity: float = 0.6
    """Estimated Jaccard of shingles above which a report is a copy of an earlier one."""
    close_after_days: float = 10.0
    """An incident with no new report for this long (in stream time) closes."""
    sketch_k: int = 64
    shingle_size: int = 4
    sketch_words: int = 300
    """Words of the text sketched: copies of a wire story share their lead."""
    lead_chars: int = 400
    """Where a report without an event date is read for one (its first sentences)."""
    lead_date_days: int = 31
    """How old a date in the lead may be and still be the event's."""
    people_chars: int = 2000
    """Names are taken from the start of the text: later ones are mostly background."""
    max_places: int = 5
    """Places of a report compared (the scene first, then the others the classifier ranked)."""
    anchor_similarity: float = 0.3
    """Text similarity that anchors a link on its own (without place, militia or person)."""
    max_candidates: int = 16
    """Open incidents fully scored per report, the best by the index's pre-score: a real
    day has a handful; the cap bounds a link's time however dense the stream gets."""

    @property
    def near_cell_deg(self) -> tuple[float, float]:
        """Grid size (degrees of latitude, of longitude) such that points within ``near_km``
        are in neighbouring cells (up to 60 degrees of latitude, where a degree of
        longitude is half as long as one of latitude)."""
        return self.near_km / KM_PER_DEGREE, self.near_km / (KM_PER_DEGREE * 0.5)
