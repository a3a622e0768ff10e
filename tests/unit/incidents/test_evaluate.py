from __future__ import annotations

import io
from pathlib import Path

import pytest

from newsingest.errors import InvalidRecordError
from newsingest.incidents.dataset import as_page, load_reports
from newsingest.incidents.evaluate import main, pair_score, score_view

LABELLED = Path(__file__).resolve().parents[2] / "data" / "incidents"


def test_pair_score_counts_every_pair() -> None:
    gold = {"a": "x", "b": "x", "c": "x", "d": "y"}
    predicted = {"a": "1", "b": "1", "c": "2", "d": "2"}
    score = pair_score(gold, predicted)
    # true pairs ab ac bc; linked pairs ab cd: one right, one wrong, two missed
    assert (score.true_positive, score.false_positive, score.false_negative) == (1, 1, 2)
    assert score.precision == pytest.approx(0.5)
    assert score.recall == pytest.approx(1 / 3)


def test_a_report_the_stage_never_sees_is_scored_apart() -> None:
    gold = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y"}
    # c: background, rightly not tagged, so never linked; e: a strike report the classifier
    # missed, alone too; a, b and d were linked as they should be.
    predicted = {"a": "1", "b": "1", "c": "alone:c", "d": "2", "e": "alone:e"}
    view = score_view("stage", gold, predicted, unseen={"c"})
    assert view.apart == 2  # a-c, b-c: not scored
    score = view.score
    assert (score.true_positive, score.false_positive, score.false_negative) == (1, 0, 1)
    assert view.errors == [("split", "d", "e")]  # the classifier's miss costs recall
    assert view.incidents == 3  # a+b, d, e: c is not counted
    everything = score_view("all", gold, predicted)
    assert everything.apart == 0
    assert everything.score.false_negative == 3


def test_background_is_read_as_a_flag(tmp_path: Path) -> None:
    item = (
        "- id: r1\n  event: e\n  url: https://x.example/1\n  title: t\n"
        '  published_at: "2024-01-01T00:00:00Z"\n  text: a funeral\n'
    )
    (tmp_path / "a.yaml").write_text(item + "  background: true\n")
    (tmp_path / "b.yaml").write_text(item.replace("r1", "r2"))
    reports = {r.id: r for r in load_reports(tmp_path)}
    assert reports["r1"].background is True
    assert reports["r2"].background is False
    (tmp_path / "c.yaml").write_text(item.replace("r1", "r3") + "  background: yes please\n")
    with pytest.raises(InvalidRecordError, match="background"):
        load_reports(tmp_path)


def test_labelled_set_is_well_formed() -> None:
    reports = load_reports(LABELLED)
    strike_reports = [r for r in reports if not r.background]
    assert len(strike_reports) >= 60
    assert len({r.event for r in strike_reports}) >= 15
    assert len({r.url.split("/")[2] for r in reports}) >= 5
    # Background reports are about a labelled strike that strike reports tell of too.
    assert {r.event for r in reports if r.background} <= {r.event for r in strike_reports}
    page = as_page(reports[0])
    assert page.content_type == "text/plain"
    assert page.hints is not None
    assert page.hints.published_at == reports[0].published_at


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main([str(LABELLED), *args], out=out)  # the command's defaults: 0.95 for both
    return code, out.getvalue()


@pytest.fixture(scope="module")
def eval_output() -> tuple[int, str]:
    return _run()


def _views(text: str) -> dict[str, dict[str, float]]:
    """Each view's figures by the first word of its name, the judged one under "judged"."""
    views: dict[str, dict[str, float]] = {}
    for block in text.split("\n* ")[1:] + text.split("\n- ")[1:]:
        figures = {
            name: float(block.split(f"{name} ", 1)[1].split()[0])
            for name in ("precision", "recall")
        }
        if "apart: " in block:
            figures["apart"] = float(block.split("apart: ", 1)[1].split()[0])
        views[block.split()[0]] = figures
    judged = text.split("\n* ", 1)[1].split()[0]
    views["judged"] = views[judged]
    return views


def test_linking_the_labelled_set_meets_its_goal_in_both_views(
    eval_output: tuple[int, str],
) -> None:
    code, text = eval_output
    views = _views(text)
    assert views["judged"] is views["all"]
    for name in ("all", "the"):  # all reports; the stage's path
        assert views[name]["precision"] >= 0.95, name
        assert views[name]["recall"] >= 0.95, name
    assert views["the"]["apart"] > 0  # the background reports' pairs, reported apart
    assert code == 0


def test_strikes_only_judges_the_stages_path() -> None:
    code, text = _run("--strikes-only")
    views = _views(text)
    assert views["judged"] is views["the"]
    assert views["the"]["recall"] >= 0.95
    assert code == 0


def test_eval_exits_non_zero_below_the_goal() -> None:
    code, text = _run("--min-recall", "1.01")
    assert code == 1
    assert "recall" in text
