"""The bundled gazetteers: enough groups and places, well-formed, the fixed ids present."""

from __future__ import annotations

import re

from newsingest.classify.gazetteer import load_gazetteer
from newsingest.classify.matcher import TermMatcher, fold

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
