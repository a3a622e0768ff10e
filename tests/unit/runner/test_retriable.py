"""Which failures the runner retries, including those raised inside a pool worker."""

import io
from multiprocessing.reduction import ForkingPickler

import pytest

from newsingest.errors import ExtractError, FetchError, NewsingestError


def _through_the_pool(error: NewsingestError) -> NewsingestError:
    """The error as the parent sees it after a worker raised it (the pool pickles it)."""
    buffer = io.BytesIO()
    ForkingPickler(buffer).dump(error)
    copy = ForkingPickler.loads(buffer.getvalue())
    assert isinstance(copy, NewsingestError)
    return copy


def test_an_extract_timeout_is_retriable_wherever_it_is_raised() -> None:
    raised_in_worker = ExtractError("enrichment took more than 20 s", reason="extract_timeout")
    seen = _through_the_pool(raised_in_worker)
    assert (seen.reason, seen.retriable) == ("extract_timeout", True)


@pytest.mark.parametrize("reason", ["extract_empty", "extract_failed"])
def test_other_extract_failures_are_not(reason: str) -> None:
    assert not ExtractError("x", reason=reason).retriable


def test_an_explicit_flag_wins_and_hints_travel() -> None:
    error = FetchError("down", reason="robots_disallowed", retriable=True, retry_after_s=12.5)
    seen = _through_the_pool(error)
    assert (seen.retriable, seen.retry_after_s) == (True, 12.5)
    assert not ExtractError("x", reason="extract_timeout", retriable=False).retriable
