"""The compact state of open incidents: what it keeps, what it gives back, what it costs."""

from __future__ import annotations

import gc
import random
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from newsingest.errors import InvalidRecordError
from newsingest.incidents import IncidentLinker, IncidentRecord, LinkerConfig
from newsingest.incidents.index import IncidentIndex
from newsingest.incidents.record import (
    IncidentCasualties,
    IncidentMilitia,
    IncidentPlace,
    IncidentSource,
)
from newsingest.incidents.state import (
    SCAN_SOURCES,
    HeldSource,
    IncidentState,
    _sharing_by_scan,
    _sharing_by_table,
)
from newsingest.incidents.texttable import MAX_VALUE, TextTable
from newsingest.records import decode, encode

from .conftest import ArticleFactory

SAADI = (
    "A US drone strike in Baghdad killed Abu Baqir al-Saadi, a commander of Kataib Hezbollah, "
    "as his car drove through the Mashtal district on Wednesday night."
)
HILLAH = "An air strike hit a Harakat al-Nujaba depot near Hillah on Sunday, officials said."


def _source(
    n: int, fingerprint: list[int], published_at: str = "2024-02-07T20:00:00Z"
) -> IncidentSource:
    return IncidentSource(
        article_id=f"article-{n}",
        source_domain=f"outlet{n % 7}.example",
        url=f"https://outlet.example/{n}",
        title=f"Report {n}",
        published_at=published_at,
        linked_at="2024-02-07T21:00:00.123Z",
        confidence=0.9,
        event_date="2024-02-07",
        fingerprint=fingerprint,
    )


def _record(n: int, sources: list[IncidentSource]) -> IncidentRecord:
    baghdad = IncidentPlace("Baghdad", "IQ", 33.3 + n % 10 / 100, 44.4)
    militia = IncidentMilitia("kh", "Kataib Hezbollah", "target")
    return IncidentRecord(
        incident_id=f"incident-{n}",
        version=len(sources),
        first_seen="2024-02-07T20:00:00Z",
        last_seen="2024-02-07T20:00:00Z",
        updated_at="2024-02-07T21:00:00.123Z",
        headline=sources[0].title,
        event_date="2024-02-07",
        location=baghdad,
        actor="us",
        type="drone_strike",
        targets=[militia],
        militias=[militia],
        places=[baghdad, IncidentPlace("Iraq", "IQ", 33.2, 43.7)],
        people=[f"name{n % 50}"],
        weapons=[],
        casualties=IncidentCasualties(),
        sources=sources,
    )


def _fingerprint(rng: random.Random) -> list[int]:
    return sorted(rng.getrandbits(48) for _ in range(64))


# --- the text table ------------------------------------------------------------------


def test_the_text_table_holds_what_a_dict_would() -> None:
    rng = random.Random(3)
    table, reference = TextTable(), dict[int, int]()
    most = 0
    for step in range(30_000):
        # Grows to thousands of values, then mostly loses them: rebuilds, markers reused.
        adding = step < 12_000 or rng.random() < 0.3
        if adding or not reference:
            value = rng.choice([rng.getrandbits(48), rng.getrandbits(16), MAX_VALUE, 0])
            if value in reference:
                continue
            table.add(value, step)
            reference[value] = step
        else:
            value = rng.choice(list(reference)) if step % 100 == 0 else next(iter(reference))
            table.discard(value)
            del reference[value]
        assert len(table) == len(reference)
        most = max(most, len(reference))
    assert dict(table.items()) == reference
    assert all(table.get(value) == number for value, number in reference.items())
    assert table.get(12345) is None or 12345 in reference
    assert table.capacity <= 2 * most + 1024


def test_the_text_table_takes_only_values_it_can_hold() -> None:
    table = TextTable()
    with pytest.raises(ValueError, match="out of range"):
        table.add(MAX_VALUE + 1, 1)
    with pytest.raises(ValueError, match="out of range"):
        table.add(-1, 1)


# --- the state gives back its record ------------------------------------------------


def test_a_held_source_gives_back_its_record() -> None:
    rng = random.Random(5)
    for fingerprint in (_fingerprint(rng), [7, 3], []):
        source = _source(1, fingerprint)
        held = HeldSource.from_record(source)
        assert held.record() == source
        assert list(held.lead) == fingerprint[:8]


def test_a_fingerprint_beyond_64_bits_is_an_invalid_record() -> None:
    bad = _record(1, [_source(1, [1 << 64])])
    with pytest.raises(InvalidRecordError, match="fingerprint"):
        IncidentState.from_record(bad)
    with pytest.raises(InvalidRecordError, match="fingerprint"):
        IncidentState.from_record(_record(1, [_source(1, [-1])]))


async def test_the_stage_skips_a_record_with_a_bad_fingerprint() -> None:
    from collections.abc import AsyncIterator

    from newsingest.incidents.stage import IncidentStage

    rng = random.Random(6)
    good = _record(1, [_source(1, _fingerprint(rng))])
    bad = _record(2, [_source(2, [-1])])  # on the topic: not a 64-bit unsigned value

    async def table() -> AsyncIterator[tuple[bytes, bytes | None]]:
        for record in (bad, good):
            yield record.incident_id.encode(), encode(record)

    assert await IncidentStage(IncidentLinker()).restore_from(table()) == 1


def test_an_incident_rebuilds_the_record_it_was_restored_from(article: ArticleFactory) -> None:
    linker = IncidentLinker(clock=lambda: "2024-02-08T09:00:00.250Z")
    published = [
        linker.link(article(SAADI, url="https://a.example/1", killed=(1, 2), weapons=("mq9",))),
        linker.link(article(SAADI + " Two guards died.", url="https://b.example/2", killed=(3, 3))),
        linker.link(
            article("A drone hit a car in Baghdad.", url="https://c.example/3", targets=())
        ),
        linker.link(
            article(
                HILLAH,
                url="https://d.example/4",
                places=("Hillah",),
                targets=("nujaba",),
                event_date="2024-02-11",
                published_at="2024-02-11T10:00:00Z",
            )
        ),
    ]
    latest = {r.incident_id: r for r in published}
    for record in latest.values():
        assert IncidentState.from_record(decode(IncidentRecord, encode(record))).current() == record

    restarted = IncidentLinker(clock=lambda: "2024-02-09T00:00:00Z")
    for record in latest.values():
        restarted.restore(decode(IncidentRecord, encode(record)))
    again = restarted.link(article(SAADI, url="https://a.example/1", killed=(1, 2)))
    assert again == latest[again.incident_id]  # a redelivery after a restart: the same record


# --- similar sources ----------------------------------------------------------------------


def test_similar_sources_come_in_the_order_they_joined_after_a_merge() -> None:
    rng = random.Random(8)
    text = _fingerprint(rng)
    # Two copies of one text: the later-published one joined first.
    late = _record(1, [_source(1, text, published_at="2024-02-07T22:00:00Z")])
    early = _record(2, [_source(2, text, published_at="2024-02-07T08:00:00Z")])
    state, other = IncidentState.from_record(late), IncidentState.from_record(early)
    state.absorb(other)
    assert [s.article_id for s in state.sources] == ["article-2", "article-1"]
    # A new copy is likeliest to repeat the source that joined first.
    assert [s.article_id for s in state.sources_sharing(text[:8])] == ["article-1", "article-2"]


def test_a_big_incident_finds_similar_sources_as_a_small_one_does() -> None:
    rng = random.Random(9)
    texts = [_fingerprint(rng) for _ in range(6)]
    # Copies (whole or cut short) of six texts, each with two lead values of the first.
    sources = []
    for n in range(3 * SCAN_SOURCES):
        copied = rng.choice(texts)[: rng.randint(3, 64)]
        sources.append(_source(n, sorted(set(copied) | set(rng.sample(texts[0][:8], 2)))))
    state = IncidentState.from_record(_record(1, sources))
    for _ in range(200):
        hashes = sorted(rng.sample([v for t in texts for v in t[:10]], 8))
        limit = rng.randint(1, 6)
        table_answer = state.sources_sharing(hashes, limit)
        assert state.lead_table is not None
        assert table_answer == _sharing_by_scan(state.sources, hashes, limit)
        assert table_answer == _sharing_by_table(state.lead_table, hashes, limit)


# --- the index ------------------------------------------------------------------------


def test_the_index_holds_exactly_the_keys_of_the_open_incidents(
    article: ArticleFactory,
) -> None:
    config = LinkerConfig(close_after_days=2)
    linker = IncidentLinker(config)
    copies = [
        article(f"{HILLAH} Report {n} of many.", url=f"https://copy.example/{n}", places=("Hillah",),
                targets=("nujaba",), event_date="2024-02-11", published_at="2024-02-11T10:00:00Z")
        for n in range(20)
    ]  # fmt: skip
    reports = [
        # Undated, then dated: the incident moves to another day slot.
        article(
            "Strike on Erbil, officials say.",
            url="https://u.example/1",
            places=("Erbil",),
            targets=(),
            event_date=None,
            published_at="2024-02-06T09:00:00Z",
        ),
        article(
            "A drone hit Erbil on Tuesday.",
            url="https://u.example/2",
            places=("Erbil",),
            targets=(),
            event_date="2024-02-06",
            published_at="2024-02-06T11:00:00Z",
        ),
        article("A drone hit a car in Baghdad.", url="https://a.example/1", targets=()),
        article("Kataib Hezbollah lost a commander.", url="https://b.example/2", places=()),
        article(SAADI, url="https://c.example/3"),  # ties the two: a merge
        article(SAADI + " More later.", url="https://d.example/4", event_date=None),
        article(
            HILLAH,
            url="https://e.example/5",
            places=("Hillah",),
            targets=("nujaba",),
            event_date="2024-02-11",
            published_at="2024-02-11T10:00:00Z",
        ),
        *copies,  # past 16 sources: the text keys of the middle ones go
        article(
            HILLAH,
            url="https://f.example/6",
            places=("Hillah", "Iraq"),
            targets=("nujaba",),
            event_date="2024-02-12",
            published_at="2024-02-12T10:00:00Z",
        ),
    ]
    for report in reports:
        linker.link(report)
        closed = linker.close_stale()
        open_states = list(linker._open.values())
        fresh = IncidentIndex(config)
        for state in open_states:
            fresh.add(state)
        assert linker._index.entries() == fresh.entries(), [c.incident_id for c in closed]
        assert len(linker._index) == len(open_states)
    assert max(len(r.sources) for r in map(linker.link, copies[:1])) > 16
    assert linker.close_stale(datetime(2024, 3, 1, tzinfo=UTC))
    assert linker._index.entries() == set()


def test_an_incident_is_filed_once() -> None:
    state = IncidentState.from_record(_record(1, [_source(1, [1, 2, 3])]))
    index = IncidentIndex(LinkerConfig())
    index.add(state)
    with pytest.raises(ValueError, match="already"):
        index.add(state)


# --- what it costs --------------------------------------------------------------------

BUDGET_BYTES = 6_000
"""Per open incident of three sources (64-value fingerprints), two places, a militia and
a person, once restored: 4.5 KB today, 31 KB when fingerprints were lists of Python
ints and every incident kept its own index entries and hash table."""


def test_restored_incidents_stay_compact() -> None:
    rng = random.Random(11)
    records = [
        encode(_record(n, [_source(3 * n + s, _fingerprint(rng)) for s in range(3)]))
        for n in range(2_000)
    ]
    IncidentLinker().restore(decode(IncidentRecord, records[0]))  # caches, lazy imports
    gc.collect()
    tracemalloc.start()
    try:
        linker = IncidentLinker()
        for data in records:
            linker.restore(decode(IncidentRecord, data))
        gc.collect()
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert linker.open_count == len(records)
    assert held / len(records) < BUDGET_BYTES, held / len(records)
    linker.restore(replace(decode(IncidentRecord, records[1]), closed=True, version=99))
    assert linker.open_count == len(records) - 1
