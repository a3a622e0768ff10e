"""Countries as weak ties, multi-site strikes, and the index's cap on scored candidates."""

from __future__ import annotations

from newsingest.incidents import IncidentLinker, LinkerConfig
from newsingest.incidents.features import article_features
from newsingest.incidents.index import IncidentIndex
from newsingest.incidents.state import IncidentState
from newsingest.records import ArticleRecord

from .conftest import ArticleFactory

WIDE = "US forces struck militia sites in Iraq and Syria on Friday, officials said."
BORDER = "US aircraft hit militia positions near Al-Qaim on Friday night, a spokesman said."
ACROSS = "US raids on Friday hit positions near Albu Kamal held by militias, a monitor said."


def test_a_country_wide_report_joins_the_same_day_strike_by_the_same_side(
    article: ArticleFactory,
) -> None:
    linker = IncidentLinker()
    wide = linker.link(
        article(WIDE, url="https://a.example/wide", places=("Iraq", "Syria"), targets=())
    )
    border = linker.link(
        article(BORDER, url="https://b.example/border", places=("Al-Qaim",), targets=())
    )
    # Syria is the wide report's second place: a multi-site strike reaches it too.
    across = linker.link(
        article(ACROSS, url="https://c.example/across", places=("Albu Kamal",), targets=())
    )
    assert border.incident_id == wide.incident_id
    assert across.incident_id == wide.incident_id
    assert len(across.sources) == 3


def test_a_country_alone_ties_neither_another_day_nor_another_side(
    article: ArticleFactory,
) -> None:
    linker = IncidentLinker()
    wide = linker.link(article(WIDE, url="https://a.example/wide", places=("Iraq",), targets=()))
    next_day = linker.link(
        article(
            BORDER,
            url="https://b.example/next",
            places=("Al-Qaim",),
            targets=(),
            event_date="2024-02-08",
            published_at="2024-02-08T20:00:00Z",
        )
    )
    unknown_side = linker.link(
        article(
            BORDER, url="https://c.example/side", places=("Al-Qaim",), targets=(), actor="unknown"
        )
    )
    assert next_day.incident_id != wide.incident_id
    assert unknown_side.incident_id != wide.incident_id


def test_a_country_does_not_veto_a_militia_tie(article: ArticleFactory) -> None:
    linker = IncidentLinker()
    placed = linker.link(article(BORDER, url="https://a.example/1", places=("Mosul",)))
    wide = linker.link(article(WIDE, url="https://b.example/2", places=("Syria",)))
    assert wide.incident_id == placed.incident_id


def test_the_index_ranks_the_best_incident_first_and_caps_the_rest(
    article: ArticleFactory,
) -> None:
    config = LinkerConfig(max_candidates=4)
    index = IncidentIndex(config)
    # Many strikes on one militia the same day elsewhere in the country (each would
    # score above the threshold on militia and day alone), and one in Hillah.
    for n in range(3 * config.max_candidates):
        report = article(f"Strike {n}.", url=f"https://x.example/{n}", places=("Mosul",))
        index.add(_incident(f"mosul-{n}", report, config))
    hillah = article("A drone hit a car in Hillah.", url="https://h.example/1", places=("Hillah",))
    index.add(_incident("hillah", hillah, config))
    again = article("Two died in Hillah.", url="https://h.example/2", places=("Hillah",))
    found = index.candidates(article_features(again, config))
    assert len(found) == config.max_candidates
    assert found[0] == "hillah"


def _incident(incident_id: str, report: ArticleRecord, config: LinkerConfig) -> IncidentState:
    state = IncidentState(incident_id=incident_id)
    features = article_features(report, config)
    state.add(report, features, confidence=1.0, duplicate_of=None, linked_at="2024-02-07T20:00:00Z")
    return state
