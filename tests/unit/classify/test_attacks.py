"""Attacks told without an attack noun, the kind of strike, and who is on the receiving end."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from newsingest.records import Tags

Tag = Callable[..., Tags]


def _roles(tags: Tags) -> dict[str, str]:
    return {m.id: m.role for m in tags.militias}


@pytest.mark.parametrize(
    "text",
    [
        "The Houthis launched a drone and a ballistic missile at a commercial ship in the Red "
        "Sea, the US military said.",
        "Ansar Allah launched two anti-ship missiles at a bulk carrier off Hodeidah on Monday.",
        "Houthi forces fired three drones toward a container ship in the Gulf of Aden.",
    ],
)
def test_weapons_launched_at_a_ship_are_an_attack(tag: Tag, text: str) -> None:
    tags = tag(text)
    assert tags.strike.is_strike, tags.strike
    assert tags.strike.actor == "militia"
    assert _roles(tags) == {"houthis": "perpetrator"}


@pytest.mark.parametrize(
    "text",
    [
        "Gunmen stormed a checkpoint in Kirkuk province on Sunday, killing four soldiers.",
        "Militants opened fire on an army patrol near Tarmiyah, killing two soldiers.",
    ],
)
def test_an_attack_verb_with_dead_is_an_attack(tag: Tag, text: str) -> None:
    tags = tag(text)
    assert tags.strike.is_strike, tags.strike
    assert tags.strike.actor == "militia"


@pytest.mark.parametrize(
    "text",
    [
        # A threat, a history and a test launch name the same weapons without an attack.
        "The Houthis threatened to launch missiles at any ship linked to Israel.",
        "The Houthis, who have launched dozens of missiles at ships, said talks would resume.",
        "North Korea fired a ballistic missile into the sea off its east coast, Seoul said.",
        "Police opened an inquiry after a bus crash killed four people on the Baghdad road.",
    ],
)
def test_no_attack_without_a_realised_launch(tag: Tag, text: str) -> None:
    assert not tag(text).strike.is_strike


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("A suicide bomber blew himself up at a market in Baghdad on Thursday, killing 30 "
         "people, police said.", "bombing"),
        ("US jets struck weapons depots in eastern Syria on Friday, the Pentagon said.",
         "airstrike"),
        ("Iraqi F-16s bombed Islamic State hideouts in the Hamrin mountains on Tuesday.",
         "airstrike"),
        ("Israeli artillery shelled the outskirts of Khiam on Monday, the army said.",
         "artillery"),
    ],
)  # fmt: skip
def test_strike_type(tag: Tag, text: str, kind: str) -> None:
    tags = tag(text)
    assert tags.strike.is_strike
    assert tags.strike.type == kind


def test_a_suicide_bomber_is_not_an_aircraft(tag: Tag) -> None:
    tags = tag("A suicide bomber blew himself up at a checkpoint in Mosul, killing two soldiers.")
    assert "bomber" not in {w.id for w in tags.weapons}
    assert tags.strike.actor == "militia"


def test_hideouts_bombed_are_a_target(tag: Tag) -> None:
    tags = tag("Iraqi F-16s bombed Islamic State hideouts in the Hamrin mountains on Tuesday.")
    assert tags.strike.actor == "iraq"
    assert _roles(tags) == {"islamic_state": "target"}


@pytest.mark.parametrize(
    "text",
    [
        "The PMF said a strike hit its positions near al-Qaim on Monday.",
        "The Popular Mobilization Forces said two of its fighters were killed in a drone "
        "strike near al-Qaim on Monday.",
    ],
)
def test_a_group_reporting_a_strike_on_itself_is_the_target(tag: Tag, text: str) -> None:
    tags = tag(text)
    assert tags.strike.is_strike
    assert _roles(tags) == {"popular_mobilization_forces": "target"}


def test_a_group_reporting_its_own_attack_is_no_target(tag: Tag) -> None:
    tags = tag("Kataib Hezbollah said its fighters hit a US base in Syria with drones on Monday.")
    assert _roles(tags) == {"kataib_hezbollah": "perpetrator"}


def test_they_said_they_fired_is_a_claim(tag: Tag) -> None:
    tags = tag(
        "A missile from Yemen struck a park near Tel Aviv before dawn on Saturday. Sirens "
        "sounded across the centre of the country. Windows were shattered. The Houthis, who "
        "control northern Yemen, said they had fired a ballistic missile at the area."
    )
    assert tags.strike.actor == "militia"
    assert _roles(tags) == {"houthis": "perpetrator"}


def test_a_claim_of_some_of_the_attacks(tag: Tag) -> None:
    tags = tag(
        "Three merchant ships came under attack in the Red Sea on Sunday, the US military "
        "said. Yemen's Houthi rebels claimed two of the attacks."
    )
    assert tags.strike.actor == "militia"


def test_a_group_that_has_claimed_attacks_before_is_not_the_actor(tag: Tag) -> None:
    tags = tag(
        "Harakat al-Nujaba, a militia that has claimed several attacks on US forces, said "
        "its commander was killed in a US strike in Baghdad on Thursday."
    )
    assert tags.strike.actor == "us"
    assert _roles(tags) == {"harakat_al_nujaba": "target"}


def test_blame_for_the_earlier_attack_is_not_the_actor(tag: Tag) -> None:
    tags = tag(
        "Turkish drones struck oil facilities in northeast Syria on Thursday, the Syrian "
        "Democratic Forces said, days after a bombing in Ankara that Turkey blamed on "
        "Kurdish militants."
    )
    assert tags.strike.actor == "other"
    assert _roles(tags).get("syrian_democratic_forces") != "perpetrator"


def test_a_blamed_group_with_its_history_is_still_blamed(tag: Tag) -> None:
    tags = tag(
        "At least 30 soldiers were killed when missiles slammed into an air base in Lahj on "
        "Sunday. The strike hit a training area. Officials blamed the Houthi movement, which "
        "has been fighting the government since 2014."
    )
    assert tags.strike.actor == "militia"


def test_a_later_counter_strike_does_not_name_the_actor(tag: Tag) -> None:
    tags = tag(
        "Drones laden with explosives struck a graduation ceremony at a military academy in "
        "Homs on Thursday, killing dozens. The army blamed terrorist organisations for the "
        "attack. Government forces and their Russian allies later shelled towns in Idlib."
    )
    assert tags.strike.actor == "militia"
