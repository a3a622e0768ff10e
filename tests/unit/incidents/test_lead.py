"""The lead and the background: a report's own day and scene, not those of the attack it answers."""

from __future__ import annotations

from dataclasses import replace

from newsingest.incidents import IncidentLinker, LinkerConfig
from newsingest.incidents.features import article_features
from newsingest.records import ArticleRecord, Span

from .conftest import ArticleFactory

# Published on Saturday 3 February 2024: "on Friday" is 2 February, "last Sunday" 28 January.
RETALIATION = (
    "US jets struck a weapons depot near Hillah on Friday, officials said.\n"
    "The raid answered a rocket attack on a base in Erbil last Sunday that wounded four soldiers."
)
ATTACK = "Rockets hit a base in Erbil on Sunday, wounding four soldiers, officials said."


def _with_evidence(report: ArticleRecord, word: str) -> ArticleRecord:
    start = report.text.index(word)
    strike = replace(report.tags.strike, evidence=[Span(word, start, start + len(word))])
    return replace(report, tags=replace(report.tags, strike=strike))


def _retaliation(article: ArticleFactory) -> ArticleRecord:
    # The classifier's mistakes: the background attack's day and place taken for the event's.
    report = article(
        RETALIATION,
        url="https://a.example/retaliation",
        published_at="2024-02-03T09:00:00Z",
        event_date="2024-01-28",
        places=("Erbil", "Hillah"),
        targets=(),
    )
    return _with_evidence(report, "struck")


def test_the_lead_date_wins_over_a_background_date(article: ArticleFactory) -> None:
    features = article_features(_retaliation(article), LinkerConfig())
    assert features.day is not None
    assert (features.day.isoformat(), features.day_exact) == ("2024-02-02", True)


def test_places_named_only_in_background_sentences_go_last(article: ArticleFactory) -> None:
    features = article_features(_retaliation(article), LinkerConfig())
    assert [p.name for p in features.places] == ["Hillah", "Erbil"]


def test_a_weekday_in_a_lead_without_the_strike_does_not_override(
    article: ArticleFactory,
) -> None:
    report = article(
        "Mourners gathered on Monday in Baghdad. " + RETALIATION,
        url="https://a.example/funeral",
        published_at="2024-02-06T09:00:00Z",
        event_date="2024-02-02",
        targets=(),
    )
    features = article_features(report, LinkerConfig())
    assert features.day is not None
    assert features.day.isoformat() == "2024-02-02"


def test_a_retaliation_does_not_join_the_attack_it_answered(article: ArticleFactory) -> None:
    linker = IncidentLinker()
    attack = linker.link(
        _with_evidence(
            article(
                ATTACK,
                url="https://b.example/attack",
                published_at="2024-01-28T15:00:00Z",
                event_date="2024-01-28",
                places=("Erbil",),
                targets=(),
                actor="militia",
                strike_type="rocket",
            ),
            "hit",
        )
    )
    answer = linker.link(_retaliation(article))
    assert answer.incident_id != attack.incident_id
    assert answer.event_date == "2024-02-02"
    assert answer.location is not None
    assert answer.location.name == "Hillah"
