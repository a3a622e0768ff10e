from __future__ import annotations

from datetime import UTC, datetime

from newsingest.incidents import IncidentLinker, IncidentRecord, LinkerConfig
from newsingest.records import decode, encode

from .conftest import ArticleFactory

SAADI = (
    "A US drone strike in Baghdad killed Abu Baqir al-Saadi, a commander of Kataib Hezbollah, "
    "as his car drove through the Mashtal district on Wednesday night."
)
SAADI_PARAPHRASE = (
    "Kataib Hezbollah said its commander Abu Baqir al-Saadi died when an American drone hit "
    "his vehicle in eastern Baghdad late on Wednesday; two guards were also killed."
)
OTHER_DAY = (
    "Another US strike hit a Kataib Hezbollah depot in Baghdad on Saturday, the group said, "
    "days after the killing of one of its commanders."
)


def test_paraphrased_reports_of_one_strike_make_one_incident(article: ArticleFactory) -> None:
    linker = IncidentLinker()
    first = linker.link(article(SAADI, url="https://a.example/1", killed=(1, 1)))
    second = linker.link(
        article(
            SAADI_PARAPHRASE,
            url="https://b.example/2",
            published_at="2024-02-08T06:00:00Z",
            killed=(3, 3),
        )
    )
    assert second.incident_id == first.incident_id
    assert second.version == first.version + 1
    assert [s.source_domain for s in second.sources] == ["a.example", "b.example"]
    assert second.sources[0].confidence == 1.0
    assert 0.5 < second.sources[1].confidence < 1.0
    killed = second.casualties.killed
    assert killed is not None
    assert (killed.min, killed.max, killed.latest) == (1, 3, 3)
    assert [c.source_domain for c in killed.claims] == ["a.example", "b.example"]
    assert "saadi" in second.people


def test_same_militia_same_city_other_day_opens_a_new_incident(article: ArticleFactory) -> None:
    linker = IncidentLinker()
    first = linker.link(article(SAADI, url="https://a.example/1"))
    other = linker.link(
        article(
            OTHER_DAY,
            url="https://a.example/3",
            published_at="2024-02-10T12:00:00Z",
            event_date="2024-02-10",
        )
    )
    assert other.incident_id != first.incident_id
    assert linker.open_count == 2


def test_far_apart_places_never_link(article: ArticleFactory) -> None:
    linker = IncidentLinker()
    first = linker.link(article(SAADI, url="https://a.example/1"))
    copy = linker.link(article(SAADI, url="https://c.example/1", places=("Damascus",)))
    assert copy.incident_id != first.incident_id


def test_wire_copy_is_marked_as_duplicate(article: ArticleFactory) -> None:
    linker = IncidentLinker()
    first = linker.link(article(SAADI, url="https://a.example/1"))
    copy = linker.link(
        article(SAADI + " Officials gave no more detail.", url="https://c.example/9")
    )
    assert copy.incident_id == first.incident_id
    assert copy.sources[1].duplicate_of == first.sources[0].article_id


def test_a_redelivered_report_changes_nothing(article: ArticleFactory) -> None:
    linker = IncidentLinker()
    report = article(SAADI, url="https://a.example/1")
    first = linker.link(report)
    again = linker.link(report)
    assert again == first


def test_restore_from_records_continues_linking(article: ArticleFactory) -> None:
    linker = IncidentLinker()
    record = linker.link(article(SAADI, url="https://a.example/1"))
    wire = encode(record)

    restarted = IncidentLinker()
    restarted.restore(decode(IncidentRecord, wire))
    joined = restarted.link(article(SAADI_PARAPHRASE, url="https://b.example/2"))
    assert joined.incident_id == record.incident_id
    assert joined.version == record.version + 1
    assert len(joined.sources) == 2


def test_record_survives_the_codec(article: ArticleFactory) -> None:
    linker = IncidentLinker()
    record = linker.link(article(SAADI, url="https://a.example/1", killed=(2, 4), weapons=("mq9",)))
    assert decode(IncidentRecord, encode(record)) == record


def test_incidents_close_after_the_window(article: ArticleFactory) -> None:
    linker = IncidentLinker(LinkerConfig(close_after_days=3))
    old = linker.link(article(SAADI, url="https://a.example/1"))
    assert linker.close_stale() == []
    later = linker.link(
        article(
            OTHER_DAY,
            url="https://a.example/5",
            published_at="2024-02-12T12:00:00Z",
            event_date="2024-02-12",
        )
    )
    closed = linker.close_stale()
    assert [c.incident_id for c in closed] == [old.incident_id]
    assert closed[0].closed
    assert closed[0].version == old.version + 1
    assert linker.open_count == 1
    assert linker.close_stale(datetime(2024, 3, 1, tzinfo=UTC))[0].incident_id == later.incident_id


def test_restore_forgets_closed_incidents(article: ArticleFactory) -> None:
    linker = IncidentLinker(LinkerConfig(close_after_days=1))
    linker.link(article(SAADI, url="https://a.example/1"))
    (closed,) = linker.close_stale(datetime(2024, 3, 1, tzinfo=UTC))
    restarted = IncidentLinker()
    restarted.restore(closed)
    assert restarted.open_count == 0


def test_a_report_that_ties_two_incidents_merges_them(article: ArticleFactory) -> None:
    linker = IncidentLinker()
    placed = linker.link(article("A drone hit a car in Baghdad.", url="https://a.example/1",
                                 targets=()))  # fmt: skip
    militia = linker.link(article("Kataib Hezbollah lost a commander.", url="https://b.example/2",
                                  places=()))  # fmt: skip
    assert placed.incident_id != militia.incident_id
    both = linker.link(article(SAADI, url="https://c.example/3"))
    (merged,) = linker.close_stale()
    assert merged.merged_into == both.incident_id
    assert merged.closed
    assert {merged.incident_id, both.incident_id} == {placed.incident_id, militia.incident_id}
    assert len(both.sources) == 3
    assert linker.open_count == 1
    assert linker.incident_of(militia.sources[0].article_id) == both.incident_id
