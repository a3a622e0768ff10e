"""The five sample articles, classified as plain text with no metadata."""

from __future__ import annotations

import pytest

from newsingest.classify import Classifier
from newsingest.records import Tags
from tests.unit.classify.conftest import seed


def _roles(tags: Tags) -> dict[str, str]:
    return {m.id: m.role for m in tags.militias}


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_seed_is_a_us_strike_report(classifier: Classifier, prefix: str) -> None:
    text = seed(prefix)
    tags = classifier.classify(text)
    assert tags.strike.is_strike
    assert tags.strike.actor == "us"
    assert tags.strike.confidence > 0.7
    assert tags.strike.evidence
    spans = [*tags.strike.evidence, *(s for m in tags.militias for s in m.mentions)]
    spans += [s for loc in tags.locations for s in loc.mentions]
    spans += [s for w in tags.weapons for s in w.mentions]
    assert all(text[s.start : s.end] == s.text for s in spans)


@pytest.mark.parametrize("prefix", ["000", "001"])
def test_baghdad_drone_strike_targets_kataib_hezbollah(classifier: Classifier, prefix: str) -> None:
    tags = classifier.classify(seed(prefix))
    roles = _roles(tags)
    assert roles["kataib_hezbollah"] == "target"
    assert roles["harakat_al_nujaba"] == "mentioned"  # the January strike is background
    assert tags.strike.type == "drone_strike"
    assert tags.locations[0].name in {"Baghdad", "Mashtal"}
    assert tags.locations[0].country == "IQ"


def test_nujaba_headquarters_strike(classifier: Classifier) -> None:
    tags = classifier.classify(seed("002"))
    assert _roles(tags)["harakat_al_nujaba"] == "target"
    assert "hezbollah" not in _roles(tags)  # never read inside "Harakat Hezbollah al-Nujaba"
    assert tags.locations[0].country == "IQ"


def test_babylon_strike_names_kataeb_hezbollah_and_the_hashed(classifier: Classifier) -> None:
    tags = classifier.classify(seed("003"))
    roles = _roles(tags)
    assert {"kataib_hezbollah", "popular_mobilization_forces", "islamic_state"} <= roles.keys()
    assert "hezbollah" not in roles
    assert tags.locations[0].name == "Babylon Province"
    assert tags.casualties.killed is not None
    assert tags.casualties.killed.min == 4


def test_syria_strike_keeps_both_casualty_claims(classifier: Classifier) -> None:
    tags = classifier.classify(seed("004"))
    assert {"kataib_hezbollah", "kataib_sayyid_al_shuhada", "popular_mobilization_forces"} <= {
        m.id for m in tags.militias
    }
    assert tags.locations[0].country == "SY"
    killed = tags.casualties.killed
    assert killed is not None
    assert (killed.min, killed.max) == (1, 22)
    claimants = {c.claimant for c in killed.claims}
    assert "Militia officials" in claimants
    assert "war monitor" in claimants
    # The metadata prefix " date 2021-02-26" stands in for the missing publication date.
    assert tags.event_date == "2021-02-25"


def test_seed_001_unrelated_trailer_changes_nothing(classifier: Classifier) -> None:
    text = seed("001")
    trailer = text.rstrip().rsplit("\n", 1)[1]
    assert "Nairobi" in trailer
    with_trailer = classifier.classify(text)
    without = classifier.classify(text[: text.rindex(trailer)])
    assert with_trailer.strike == without.strike
    assert [m.id for m in with_trailer.militias] == [m.id for m in without.militias]


def test_weapons_of_the_event_first_then_the_others_named(classifier: Classifier) -> None:
    text = seed("002")
    weapons = [w.id for w in classifier.classify(text).weapons]
    assert {"jagm", "hellfire", "one_way_attack_uas", "rocket"} <= set(weapons)
    assert weapons.index("jagm") < weapons.index("ballistic_missile")  # 2020, background
    for w in classifier.classify(text).weapons:
        assert all(text[s.start : s.end] == s.text for s in w.mentions)


@pytest.mark.parametrize(("prefix", "numbers"), [("000", [1]), ("001", [3]), ("002", [1])])
def test_dead_written_without_numerals(
    classifier: Classifier, prefix: str, numbers: list[int]
) -> None:
    killed = classifier.classify(seed(prefix)).casualties.killed
    assert killed is not None
    assert [c.number for c in killed.claims] == numbers


def test_the_alliance_officials_toll_is_kept(classifier: Classifier) -> None:
    killed = classifier.classify(seed("003")).casualties.killed
    assert killed is not None
    assert [c.number for c in killed.claims] == [4, 4]
    assert "official from the alliance" in {c.claimant for c in killed.claims}
