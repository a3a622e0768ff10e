from __future__ import annotations

import io
from pathlib import Path

import pytest

from newsingest.incidents.dataset import as_page, load_reports
from newsingest.incidents.evaluate import main, pair_score

LABELLED = Path(__file__).resolve().parents[2] / "data" / "incidents"


def test_pair_score_counts_every_pair() -> None:
    gold = {"a": "x", "b": "x", "c": "x", "d": "y"}
    predicted = {"a": "1", "b": "1", "c": "2", "d": "2"}
    score = pair_score(gold, predicted)
    # true pairs ab ac bc; linked pairs ab cd: one right, one wrong, two missed
    assert (score.true_positive, score.false_positive, score.false_negative) == (1, 1, 2)
    assert score.precision == pytest.approx(0.5)
    assert score.recall == pytest.approx(1 / 3)


def test_labelled_set_is_well_formed() -> None:
    reports = load_reports(LABELLED)
    assert len(reports) >= 60
    assert len({r.event for r in reports}) >= 15
    assert len({r.url.split("/")[2] for r in reports}) >= 5
    page = as_page(reports[0])
    assert page.content_type == "text/plain"
    assert page.hints is not None
    assert page.hints.published_at == reports[0].published_at


@pytest.fixture(scope="module")
def eval_output() -> tuple[int, str]:
    out = io.StringIO()
    code = main([str(LABELLED)], out=out)  # the command's defaults: the 0.95 goal for both
    return code, out.getvalue()


def _figure(text: str, name: str) -> float:
    return float(text.split(f"{name} ", 1)[1].split()[0])


def test_linking_the_labelled_set_meets_its_goal(eval_output: tuple[int, str]) -> None:
    code, text = eval_output
    assert _figure(text, "precision") >= 0.95
    assert _figure(text, "recall") >= 0.95
    assert code == 0


def test_eval_exits_non_zero_below_the_goal() -> None:
    out = io.StringIO()
    assert main([str(LABELLED), "--min-recall", "1.01"], out=out) == 1
    assert "recall" in out.getvalue()
