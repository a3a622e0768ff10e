"""Weapons named in an article: those of the event first, then others named in war news."""

from __future__ import annotations

from collections.abc import Callable

from newsingest.records import Tags

Tag = Callable[..., Tags]


def test_event_weapons_first_then_background_weapons(tag: Tag) -> None:
    tags = tag(
        "A US drone strike killed a militia commander in Baghdad on Wednesday. Residents "
        "gathered at the scene. Militias have attacked US forces with rockets and one-way "
        "attack drones more than 160 times since October."
    )
    assert [w.id for w in tags.weapons] == ["drone", "rocket", "one_way_attack_uas"]


def test_no_weapons_from_other_kinds_of_news(tag: Tag) -> None:
    tags = tag(
        "The retailer began drone deliveries to customers in two cities on Monday. "
        "The drones carry parcels of up to 2 kg, the company said."
    )
    assert tags.weapons == []
