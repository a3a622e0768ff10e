"""Topic settings: one shared partition count, overridden per topic from the environment."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from newsingest.broker import topic_specs
from newsingest.config import Settings


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()


def test_every_topic_takes_the_shared_count_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch, NEWSINGEST_TOPICS_PARTITIONS="4")
    assert {spec.partitions for spec in topic_specs(settings.topics)} == {4}


def test_a_topic_of_its_own_count_keeps_the_rest_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(
        monkeypatch,
        NEWSINGEST_TOPICS_PARTITIONS="4",
        NEWSINGEST_TOPICS_PARTITIONS_URLS="12",
        NEWSINGEST_TOPICS_PARTITIONS_INCIDENTS="1",
    )
    specs = {spec.name: spec for spec in topic_specs(settings.topics)}
    assert specs["news.urls"].partitions == 12
    assert specs["news.incidents"].partitions == 1
    assert specs["news.incidents"].configs == {"cleanup.policy": "compact"}
    others = {n: s.partitions for n, s in specs.items() if n not in {"news.urls", "news.incidents"}}
    assert others == dict.fromkeys(others, 4)
    assert len(others) == 5


def test_a_renamed_topic_keeps_its_count(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(
        monkeypatch, NEWSINGEST_TOPICS_PAGES="raw.pages", NEWSINGEST_TOPICS_PARTITIONS_PAGES="9"
    )
    specs = {spec.name: spec.partitions for spec in topic_specs(settings.topics)}
    assert specs["raw.pages"] == 9


def test_a_count_below_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="partitions_dlq"):
        _settings(monkeypatch, NEWSINGEST_TOPICS_PARTITIONS_DLQ="0")
