"""What is and is not a strike report, on short texts written for the tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from newsingest.records import Tags

Tag = Callable[..., Tags]


@pytest.mark.parametrize(
    "text",
    [
        "Teachers in Basra went on strike on Wednesday over unpaid salaries, the union said.",
        "A jailed activist entered the third week of a hunger strike, her family said.",
        "A lightning strike killed two farmers during a storm in Muthanna province.",
        "The striker's late strike from 25 metres won the match for Iraq.",
        "Baghdad and Erbil struck a deal on oil exports after months of talks.",
        "The Federal Supreme Court struck down the law, ruling it unconstitutional.",
        "Kataib Hezbollah vowed to strike US bases if American troops did not leave.",
        "Thousands attended the funeral of a commander killed in a drone strike last month.",
        "Officials said talks on the withdrawal of US troops would resume, a year after the "
        "strike that killed a militia leader in Baghdad.",
        "Would Israel strike Iran's nuclear facilities? Analysts weigh the options.",
        "The carrier strike group arrived in the eastern Mediterranean on Saturday.",
        "Dozens of warplanes took part in a drill simulating long-range strikes, the army said.",
        "The family of a man killed in a US drone strike in August 2021 filed a lawsuit on "
        "Tuesday.",
    ],
)
def test_not_a_strike_report(tag: Tag, text: str) -> None:
    tags = tag(text)
    assert not tags.strike.is_strike, tags.strike
    assert tags.strike.actor is None
    assert tags.event_date is None


@pytest.mark.parametrize(
    ("text", "actor", "kind"),
    [
        ("A US drone strike killed two militia commanders in Baghdad on Wednesday night.",
         "us", "drone_strike"),
        ("Israeli warplanes struck targets in southern Lebanon on Thursday, killing three "
         "Hezbollah fighters.", "israel", "airstrike"),
        ("Rockets hit Ain al-Asad air base on Tuesday. No group claimed the attack.",
         "unknown", "rocket"),
        ("Iran's Revolutionary Guards fired ballistic missiles at Erbil late on Monday.",
         "iran", "missile"),
        ("Houthi rebels fired an anti-ship missile at a tanker in the Red Sea on Tuesday, "
         "the US military said.", "militia", "missile"),
    ],
)  # fmt: skip
def test_strike_reports(tag: Tag, text: str, actor: str, kind: str) -> None:
    tags = tag(text)
    assert tags.strike.is_strike
    assert tags.strike.actor == actor
    assert tags.strike.type == kind
    assert tags.strike.evidence
    assert all(text[s.start : s.end] == s.text for s in tags.strike.evidence)


def test_hezbollah_is_never_read_inside_longer_names(tag: Tag) -> None:
    tags = tag(
        "Kataib Hizbullah and Harakat Hezbollah al-Nujaba said they would keep fighting; "
        "Kata'ib Hezbollah denied involvement."
    )
    ids = [m.id for m in tags.militias]
    assert ids == ["kataib_hezbollah", "harakat_al_nujaba"]
    assert len(tags.militias[0].mentions) == 2


def test_short_forms_need_context(tag: Tag) -> None:
    verb_only = tag("It is what it is. IS this the end? The PMF question is open.")
    assert verb_only.militias == []
    named = tag(
        "The Islamic State (IS) group lost its last town in 2019. IS remnants still attack "
        "soldiers, and the Popular Mobilization Forces (PMF) patrol the desert."
    )
    by_id = {m.id: [s.text for s in m.mentions] for m in named.militias}
    assert by_id["islamic_state"] == ["Islamic State", "IS", "IS"]
    assert by_id["popular_mobilization_forces"] == ["Popular Mobilization Forces", "PMF"]


def test_target_and_perpetrator_roles(tag: Tag) -> None:
    tags = tag(
        "A US air strike hit a Kataib Hezbollah headquarters near al-Qaim on Wednesday, "
        "killing four fighters. The strike followed a drone attack on US troops that the "
        "Islamic Resistance in Iraq claimed responsibility for."
    )
    roles = {m.id: m.role for m in tags.militias}
    assert roles["kataib_hezbollah"] == "target"
    assert tags.locations[0].name == "Al-Qaim"


def test_militia_claim_makes_the_perpetrator(tag: Tag) -> None:
    tags = tag(
        "Rockets struck a base hosting coalition troops near Erbil on Monday night. "
        "Saraya Awliya al-Dam claimed responsibility for the attack."
    )
    assert tags.strike.actor == "militia"
    assert {m.id: m.role for m in tags.militias}["saraya_awliya_al_dam"] == "perpetrator"


def test_a_counter_strike_after_the_lead_does_not_make_the_actor(tag: Tag) -> None:
    tags = tag(
        "An anti-tank missile fired from Lebanon struck a farm near Metula on Thursday.\n"
        "Hezbollah said its fighters had targeted soldiers near the town.\n"
        "The Israeli army responded with artillery fire on a village across the border."
    )
    assert tags.strike.actor == "militia"
    assert {m.id: m.role for m in tags.militias}["hezbollah"] == "perpetrator"


def test_a_weapon_only_one_country_flies_names_the_actor(tag: Tag) -> None:
    tags = tag("An AC-130 gunship fired on a vehicle carrying fighters west of Baghdad on Tuesday.")
    assert tags.strike.is_strike
    assert tags.strike.actor == "us"
    assert [w.id for w in tags.weapons] == ["ac130_gunship"]


def test_who_reports_a_strike_is_not_who_struck(tag: Tag) -> None:
    tags = tag(
        "Houthi spokesman Yahya Saree said the group had hit a British cargo ship with naval "
        "missiles overnight.\nUS Central Command said two anti-ship ballistic missiles were fired "
        "from Houthi areas of Yemen and one struck the ship."
    )
    assert tags.strike.actor == "militia"


def test_arabic_names_are_matched(tag: Tag) -> None:
    tags = tag("Statement by كتائب حزب الله after the strike.")
    assert [m.id for m in tags.militias] == ["kataib_hezbollah"]


@pytest.mark.parametrize(
    "text",
    [
        ".!?" * 10_000,  # a run of sentence marks (quadratic for a naive boundary regex)
        "at least 22 fighters were killed in the strike on Thursday. " * 500,  # one run-on text
        "Kataib Hezbollah " * 3_000,
        "\n" * 20_000,
    ],
    ids=["marks", "run-on", "names", "newlines"],
)
def test_pathological_inputs_stay_linear(tag: Tag, text: str) -> None:
    tags = tag(text)  # the suite's per-test timeout catches a quadratic regression
    assert all(text[s.start : s.end] == s.text for m in tags.militias for s in m.mentions)


def test_empty_and_odd_inputs(tag: Tag) -> None:
    for text in ["", "   \n\n", "strike", "İstanbul ŞEHİR — strike!", "\x00\x01"]:
        tags = tag(text)
        assert 0.0 <= tags.strike.confidence <= 1.0
