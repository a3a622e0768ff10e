"""The labelled set meets the goals; the eval command reports and gates on thresholds."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsingest.classify import Classifier
from newsingest.classify.dataset import LabelledArticle
from newsingest.classify.evaluate import evaluate, main
from tests.unit.classify.conftest import LABELLED


def test_labelled_set_is_big_enough_and_balanced(labelled: list[LabelledArticle]) -> None:
    assert len(labelled) >= 120
    assert sum(not a.is_strike for a in labelled) >= 50
    assert {a.actor for a in labelled if a.is_strike} >= {
        "us", "israel", "coalition", "iraq", "iran", "militia", "other", "unknown"
    }  # fmt: skip
    assert len({a.id for a in labelled}) == len(labelled)


def test_goal_thresholds_on_the_labelled_set(
    classifier: Classifier, labelled: list[LabelledArticle]
) -> None:
    report = evaluate(classifier, labelled)
    assert report.precision >= 0.95, report.cases
    assert report.recall >= 0.95, report.cases
    assert report.militia_f1 >= 0.95, report.cases
    assert report.actor_accuracy >= 0.85, report.cases
    assert report.country_accuracy >= 0.85, report.cases


def test_holdout_split_alone_meets_the_goals(
    classifier: Classifier, labelled: list[LabelledArticle]
) -> None:
    holdout = [a for a in labelled if a.split == "holdout"]
    assert len(holdout) >= 20
    report = evaluate(classifier, holdout)
    assert report.precision >= 0.95, report.cases
    assert report.recall >= 0.95, report.cases
    assert report.militia_f1 >= 0.95, report.cases


def test_main_prints_scores_and_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(LABELLED), "--min-precision", "0.95", "--min-recall", "0.95"]) == 0
    out = capsys.readouterr().out
    assert "is_strike   P" in out
    assert "militias    micro-F1" in out


def test_main_fails_below_a_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # One strike report labelled as a negative: precision can only be 0.
    (tmp_path / "wrong.yaml").write_text(
        """- id: mislabelled
  title: null
  published_at: "2024-02-08"
  is_strike: false
  actor: null
  country: null
  event_date: null
  militias: []
  split: dev
  text: |
    US warplanes bombed militia weapons depots in western Iraq on Wednesday, killing six fighters.
""",
        encoding="utf-8",
    )
    assert main([str(tmp_path), "--min-precision", "0.5"]) == 1
    assert "FP  mislabelled" in capsys.readouterr().out


def test_main_rejects_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main([str(tmp_path / "nowhere")])
