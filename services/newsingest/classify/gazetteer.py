"""The bundled gazetteers: armed groups, places and weapons (YAML files in ``data/``)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from newsingest.classify.matcher import term_key
from newsingest.records import Actor, StrikeType

_DATA = "newsingest.classify.data"


@dataclass(frozen=True, slots=True)
class Militia:
    id: str
    name: str
    arabic: str
    country: str | None
    aliases: tuple[str, ...]
    """Every spelling matched case-insensitively (variants expanded, Arabic name included)."""
    acronyms: tuple[str, ...]
    """Unambiguous acronyms, matched case-sensitively."""
    short: tuple[str, ...]
    """Ambiguous short forms, matched case-sensitively and only with supporting context."""


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str | None
    lat: float
    lon: float
    kind: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Weapon:
    id: str
    name: str
    strike_type: StrikeType
    aliases: tuple[str, ...]
    operator: Actor | None = None
    """The one country that uses it (an AC-130 is American), if any."""


@dataclass(frozen=True, slots=True)
class Gazetteer:
    militias: tuple[Militia, ...]
    places: tuple[Place, ...]
    weapons: tuple[Weapon, ...]


def _load_yaml(name: str) -> Any:
    with resources.files(_DATA).joinpath(name).open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _expand(alias: str, spellings: dict[str, list[str]]) -> list[str]:
    """An alias with each word replaced by its listed transliteration variants."""
    words = term_key(alias).split()
    options = [[w, *spellings.get(w, [])] for w in words]
    variants = [" ".join(combo) for combo in itertools.islice(itertools.product(*options), 64)]
    return [alias, *variants]


def load_gazetteer() -> Gazetteer:
    raw_militias = _load_yaml("militias.yaml")
    spellings = {
        term_key(word): [str(v) for v in variants]
        for word, variants in raw_militias["spellings"].items()
    }
    militias = tuple(
        Militia(
            id=g["id"],
            name=g["name"],
            arabic=g["arabic"],
            country=g.get("country"),
            aliases=tuple(
                dict.fromkeys(
                    [v for a in g["aliases"] for v in _expand(str(a), spellings)] + [g["arabic"]]
                )
            ),
            acronyms=tuple(str(s) for s in g.get("acronyms", [])),
            short=tuple(str(s) for s in g.get("short", [])),
        )
        for g in raw_militias["groups"]
    )
    places = tuple(
        Place(
            name=p["name"],
            country=p["country"],
            lat=float(p["lat"]),
            lon=float(p["lon"]),
            kind=p["kind"],
            aliases=tuple(dict.fromkeys([p["name"], *map(str, p.get("aliases", []))])),
            demonyms=tuple(map(str, p.get("demonyms", []))),
        )
        for p in _load_yaml("places.yaml")["places"]
    )
    weapons = tuple(
        Weapon(
            id=w["id"],
            name=w["name"],
            strike_type=w["class"],
            aliases=tuple(map(str, w["aliases"])),
            operator=w.get("operator"),
        )
        for w in _load_yaml("weapons.yaml")["weapons"]
    )
    return Gazetteer(militias=militias, places=places, weapons=weapons)
