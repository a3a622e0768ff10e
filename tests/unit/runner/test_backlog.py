"""Which record of a partition's backlog starts next, under a per-key in-flight bound."""

from __future__ import annotations

import pytest

from newsingest.runner import Message
from newsingest.runner.backlog import Backlog


def _records(keys: str) -> list[Message]:
    """One record per character, offsets 0, 1, ...; "-" is a record without a key."""
    return [
        Message("t", 0, offset, None if k == "-" else k.encode(), b"", [], 0)
        for offset, k in enumerate(keys)
    ]


def _take_all(backlog: Backlog) -> list[int]:
    taken = []
    while (message := backlog.take()) is not None:
        taken.append(message.offset)
    return taken


def _filled(keys: str, per_key: int | None) -> tuple[Backlog, list[Message]]:
    backlog = Backlog(per_key)
    records = _records(keys)
    for record in records:
        backlog.append(record)
    return backlog, records


def test_without_a_bound_records_start_in_offset_order() -> None:
    backlog, _ = _filled("aaabba-", None)
    assert _take_all(backlog) == [0, 1, 2, 3, 4, 5, 6]
    assert len(backlog) == 0
    assert not backlog.startable


def test_a_saturated_key_waits_and_the_keys_behind_it_go_past() -> None:
    backlog, _ = _filled("aaaaabcab", 2)
    assert _take_all(backlog) == [0, 1, 5, 6, 8]  # two a's, then b, c and b's second
    assert len(backlog) == 4  # a's 2, 3, 4 and 7 wait
    assert not backlog.startable


def test_a_finished_record_frees_its_key_for_its_oldest_waiting_record() -> None:
    backlog, records = _filled("aaab", 1)
    assert _take_all(backlog) == [0, 3]
    backlog.finished(records[3])  # b done: nothing of b waits
    assert backlog.take() is None
    backlog.finished(records[0])
    assert _take_all(backlog) == [1]
    backlog.finished(records[1])
    assert _take_all(backlog) == [2]


def test_freed_keys_start_in_the_order_of_their_oldest_records() -> None:
    backlog, records = _filled("abab", 1)
    assert _take_all(backlog) == [0, 1]
    backlog.finished(records[1])  # b freed first, but a's waiting record is older
    backlog.finished(records[0])
    assert _take_all(backlog) == [2, 3]


def test_records_without_a_key_are_never_bound() -> None:
    backlog, _ = _filled("---a", 1)
    assert _take_all(backlog) == [0, 1, 2, 3]


def test_records_appended_later_join_their_key_queue() -> None:
    backlog, records = _filled("a", 1)
    assert _take_all(backlog) == [0]
    more = _records("aab")[1:]  # offsets 1 (a) and 2 (b)
    for record in more:
        backlog.append(record)
    assert _take_all(backlog) == [2]
    backlog.finished(records[0])
    assert _take_all(backlog) == [1]


def test_clear_drops_waiting_records_but_counts_those_in_flight() -> None:
    backlog, records = _filled("aab", 1)
    assert _take_all(backlog) == [0, 2]
    backlog.clear()
    assert len(backlog) == 0
    backlog.finished(records[0])  # records in flight still finish
    backlog.finished(records[2])
    assert backlog.take() is None


def test_a_bound_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Backlog(0)
