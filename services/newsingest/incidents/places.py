"""How large a tagged place is, from the classifier's gazetteer.

A location tag carries a name and a point; "Iraq" and "Baghdad" both come as
points, yet one is a country. Distances between a country's (or a sea's)
centre and a city say nothing, so the linker widens the allowed distance by
the extent of each place and lets only city-sized places anchor a link.
Names the gazetteer does not know are taken as cities.
"""

from __future__ import annotations

import functools

# Rough extent (km from the listed centre) of a place of each kind.
EXTENT_KM: dict[str, float] = {"country": 800.0, "sea": 600.0, "province": 80.0}
LOCAL_EXTENT_KM = EXTENT_KM["province"]
"""Places up to this extent are specific enough to anchor a link."""


@functools.cache
def _kinds() -> dict[str, str]:
    from newsingest.classify.gazetteer import load_gazetteer  # YAML: load once, on first use

    return {place.name: place.kind for place in load_gazetteer().places}


def extent_km(name: str) -> float:
    """How far from its centre a place with this name reaches."""
    return EXTENT_KM.get(_kinds().get(name, "city"), 0.0)
