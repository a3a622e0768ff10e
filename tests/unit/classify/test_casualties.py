"""Casualty figures, with every claim kept."""

from __future__ import annotations

import pytest

from newsingest.classify.casualties import find_casualties
from newsingest.classify.sentences import split_sentences
from newsingest.records import CasualtyCount


def _count(text: str) -> tuple[CasualtyCount | None, CasualtyCount | None]:
    casualties = find_casualties(text, split_sentences(text))
    return casualties.killed, casualties.injured


def test_competing_claims_make_a_range() -> None:
    text = (
        "Militia officials said one person had been killed, while a war monitor reported "
        "at least 22 fatalities."
    )
    killed, injured = _count(text)
    assert injured is None
    assert killed is not None
    assert (killed.min, killed.max) == (1, 22)
    first, second = killed.claims
    assert (first.number, first.claimant, first.qualifier) == (1, "Militia officials", None)
    assert (second.number, second.claimant, second.qualifier) == (22, "war monitor", "at least")
    assert text[second.span.start : second.span.end] == second.span.text


def test_number_words_and_injuries() -> None:
    text = (
        "Two dozen fighters were killed and three others wounded, the health ministry said. "
        "The strike also killed seven civilians."
    )
    killed, injured = _count(text)
    assert killed is not None
    assert injured is not None
    assert sorted(c.number for c in killed.claims) == [7, 24]
    assert [c.number for c in injured.claims] == [3]
    assert killed.claims[0].claimant == "health ministry"


def test_no_figures_no_counts() -> None:
    assert _count("The Pentagon said the strike killed the commander.") == (None, None)
    assert _count("About 2,500 US troops are based in Iraq, 18 years after the war.") == (
        None,
        None,
    )


def test_one_dead_without_a_numeral() -> None:
    killed, _ = _count("A senior commander of an Iran-backed militia has been killed in Baghdad.")
    assert killed is not None
    assert [c.number for c in killed.claims] == [1]
    killed, _ = _count("The group said its deputy commander, Abu Taqwa, was killed in a strike.")
    assert killed is not None
    assert [(c.number, c.claimant) for c in killed.claims] == [(1, "group")]


@pytest.mark.parametrize(
    "text",
    [
        "No one was killed, the ministry said.",
        "It was not clear whether anyone was killed.",
        "Nobody has been killed in the blast.",
        "Two soldiers and a civilian were killed.",  # plural without a figure: no guess
    ],
)
def test_no_one_and_plurals_are_not_one(text: str) -> None:
    killed, _ = _count(text)
    assert killed is None or [c.number for c in killed.claims] != [1]


def test_all_three_perished() -> None:
    killed, _ = _count("The result: all three perished.")
    assert killed is not None
    assert killed.min == killed.max == 3
