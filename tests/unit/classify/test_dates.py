"""Event dates resolved against the publication date."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from newsingest.records import Tags

Tag = Callable[..., Tags]


@pytest.mark.parametrize(
    ("text", "published_at", "expected"),
    [
        ("A US drone strike hit a car in Baghdad on Wednesday night.", "2024-02-08", "2024-02-07"),
        ("US jets struck militia sites in Syria late on Thursday.", "2024-02-08T06:00:00Z",
         "2024-02-08"),
        ("On 4 January, a US drone strike killed a commander in Baghdad.", "2024-01-05",
         "2024-01-04"),
        ("US bombers pounded militia sites in Iraq last Friday, officials said.", "2024-02-05",
         "2024-02-02"),
        ("Israeli jets struck Beirut yesterday, killing a Hamas official.", "2024-01-03",
         "2024-01-02"),
        ("Rockets hit Erbil airport on December 30, 2023, officials said.", "2024-01-02",
         "2023-12-30"),
        ("A drone struck Tower 22 on 28 December, killing no one.", "2024-01-03", "2023-12-28"),
    ],
)  # fmt: skip
def test_event_date(tag: Tag, text: str, published_at: str, expected: str) -> None:
    tags = tag(text, published_at=published_at)
    assert tags.strike.is_strike
    assert tags.event_date == expected


def test_relative_day_without_publication_date_is_unknown(tag: Tag) -> None:
    tags = tag("A US drone strike hit a car in Baghdad on Wednesday night.", published_at=None)
    assert tags.strike.is_strike
    assert tags.event_date is None


def test_old_dates_are_not_the_event(tag: Tag) -> None:
    tags = tag(
        "A US drone strike killed a militia commander in Baghdad on Wednesday.\n"
        "On 4 January, the US launched an airstrike that killed another leader.",
        published_at="2024-02-08",
    )
    assert tags.event_date == "2024-02-07"


def test_the_date_of_the_attack_answered_is_not_the_event(tag: Tag) -> None:
    tags = tag(
        "American B-1 bombers dropped precision munitions on sites in Iraq and Syria on Friday.\n"
        "The Pentagon said the strikes answered the killing of three soldiers at Tower 22 in "
        "Jordan last Sunday.",
        published_at="2024-02-03",
    )
    assert tags.strike.is_strike
    assert tags.event_date == "2024-02-02"
    assert tags.locations[0].name != "Tower 22"
