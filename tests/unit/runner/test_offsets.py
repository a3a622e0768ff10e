from newsingest.runner.offsets import PartitionOffsets


def test_commits_only_the_contiguous_completed_prefix() -> None:
    offsets = PartitionOffsets()
    for offset in (10, 11, 12, 13):
        offsets.add(offset)
    offsets.complete(12)
    offsets.complete(13)
    assert offsets.committable() is None  # 10 and 11 are still in flight
    offsets.complete(10)
    assert offsets.committable() == 11
    offsets.complete(11)
    assert offsets.committable() == 14


def test_gaps_between_offsets_do_not_block_commits() -> None:
    offsets = PartitionOffsets()
    for offset in (5, 9, 30):  # transaction markers and compaction leave gaps
        offsets.add(offset)
    for offset in (30, 9, 5):
        offsets.complete(offset)
    assert offsets.committable() == 31
    assert offsets.outstanding == 0


def test_nothing_new_after_a_commit() -> None:
    offsets = PartitionOffsets()
    offsets.add(0)
    offsets.complete(0)
    assert offsets.committable() == 1
    offsets.committed = 1
    assert offsets.committable() is None
    offsets.add(1)
    assert offsets.committable() is None
    offsets.complete(1)
    assert offsets.committable() == 2
