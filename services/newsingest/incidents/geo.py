"""Great-circle distance and the coarse grid cells the incident index uses."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088

Cell = tuple[int, int]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km between two points on the sphere (haversine formula)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def cell_of(lat: float, lon: float, size_deg: tuple[float, float]) -> Cell:
    """The grid cell of a point; cells are ``size_deg`` (latitude, longitude) degrees."""
    return (math.floor(lat / size_deg[0]), math.floor(lon / size_deg[1]))


def neighbourhood(cell: Cell) -> list[Cell]:
    """A cell and its eight neighbours: every cell a point within one cell size can be in."""
    row, col = cell
    return [(row + dr, col + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
