"""Fixtures: the classifier (built once), the labelled set, the sample seeds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from newsingest.classify import Classifier, load_classifier
from newsingest.classify.dataset import LabelledArticle, load_labelled
from newsingest.records import Tags

REPO = Path(__file__).resolve().parents[3]
LABELLED = REPO / "tests/data/classifier"
SEEDS = REPO / "samples/seeds"


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return load_classifier()


@pytest.fixture(scope="session")
def labelled() -> list[LabelledArticle]:
    return load_labelled(LABELLED)


@pytest.fixture
def tag(classifier: Classifier) -> Callable[..., Tags]:
    """Classify a text written in the test (published_at defaults to a Thursday)."""

    def run(
        text: str, *, title: str | None = None, published_at: str | None = "2024-02-08"
    ) -> Tags:
        return classifier.classify(text, title=title, published_at=published_at)

    return run


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")
