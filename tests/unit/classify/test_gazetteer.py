"""The bundled gazetteers: enough groups and places, well-formed, the fixed ids present."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from newsingest.classify.gazetteer import Place, load_gazetteer
from newsingest.classify.matcher import TermMatcher, fold
from newsingest.records import Tags

Tag = Callable[..., Tags]

FIXED_IDS = {
    "kataib_hezbollah", "harakat_al_nujaba", "kataib_sayyid_al_shuhada", "asaib_ahl_al_haq",
    "popular_mobilization_forces", "islamic_resistance_in_iraq", "houthis", "hezbollah",
    "hamas", "islamic_state",
}  # fmt: skip
ARABIC = re.compile(r"[\u0600-\u06ff]")


def test_armed_groups() -> None:
    militias = load_gazetteer().militias
    assert len(militias) >= 40
    ids = [m.id for m in militias]
    assert len(ids) == len(set(ids))
    assert set(ids) >= FIXED_IDS
    for m in militias:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", m.id)
        assert ARABIC.search(m.arabic), m.id
        assert m.aliases, m.id


def test_places() -> None:
    places = load_gazetteer().places
    by_country: dict[str | None, int] = {}
    for p in places:
        assert p.country is None or re.fullmatch(r"[A-Z]{2}", p.country)
        assert -90 <= p.lat <= 90
        assert -180 <= p.lon <= 180
        by_country[p.country] = by_country.get(p.country, 0) + 1
    for country in ("IQ", "SY", "JO", "YE", "LB"):
        assert by_country[country] >= 8, country
    names = {n.lower() for p in places for n in p.aliases}
    for base in ("ain al-asad", "ain al-assad", "tower 22", "erbil airport", "irbil airport",
                 "victory base", "al-tanf", "harir", "conoco"):  # fmt: skip
        assert base in names, base


def test_matcher_prefers_the_longest_name_and_folds_spellings() -> None:
    matcher = TermMatcher({"hezbollah": ["lb"], "kata'ib hezbollah": ["kh"], "kata'ib": ["x"]})
    text = "Kata’ib Hezbollah and Kataib-Hezbollah, not Hezbollah’s allies"
    folded = fold(text)
    assert len(folded) == len(text)
    found = [(text[s:e], p) for s, e, p in matcher.find(folded)]
    assert found == [
        ("Kata’ib Hezbollah", ("kh",)),
        ("Kataib-Hezbollah", ("kh",)),
        ("Hezbollah", ("lb",)),
    ]


@pytest.fixture(scope="module")
def places() -> tuple[Place, ...]:
    return load_gazetteer().places


@pytest.mark.parametrize(
    ("name", "country", "lat", "lon"),
    [
        ("Karak", "JO", 31.2, 35.7),
        ("Tafilah", "JO", 30.8, 35.6),
        ("Ma'an", "JO", 30.2, 35.7),
        ("Jerash", "JO", 32.3, 35.9),
        ("Ajloun", "JO", 32.3, 35.8),
        ("Balqa", "JO", 32.0, 35.7),
        ("Madaba", "JO", 31.7, 35.8),
        ("al-Jawf", "YE", 16.2, 44.8),
        ("Lahj", "YE", 13.1, 44.9),
        ("Abyan", "YE", 13.1, 45.4),
        ("al-Mahra", "YE", 16.2, 52.2),
        ("North Lebanon", "LB", 34.4, 35.8),
        ("Mount Lebanon", "LB", 33.8, 35.5),
        ("Akkar", "LB", 34.5, 36.1),
        ("Tripoli", "LB", 34.4, 35.8),
        ("Rif Dimashq", "SY", 33.6, 36.4),
    ],
)
def test_provinces_and_cities(
    places: tuple[Place, ...], name: str, country: str, lat: float, lon: float
) -> None:
    (place,) = [p for p in places if p.name == name]
    assert place.country == country
    assert abs(place.lat - lat) < 0.1
    assert abs(place.lon - lon) < 0.1


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("A drone struck a truck in Karak province on Monday, killing two smugglers.", "Karak"),
        ("A missile struck an army base in Lahj on Sunday, killing 30 soldiers.", "Lahj"),
        ("A drone strike hit a car in the Damascus countryside on Friday, killing two.",
         "Rif Dimashq"),
        ("An Israeli drone struck a car in Akkar on Tuesday, killing a Hamas official.",
         "Akkar"),
    ],
)  # fmt: skip
def test_the_new_places_are_scenes(tag: Tag, text: str, name: str) -> None:
    tags = tag(text)
    assert tags.strike.is_strike
    assert tags.locations[0].name.startswith(name)
