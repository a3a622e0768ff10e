"""The labelled articles of ``tests/data/classifier/`` (format in its README.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    id: str
    title: str | None
    published_at: str | None
    text: str
    is_strike: bool
    actor: str | None
    country: str | None
    event_date: str | None
    militias: frozenset[str]
    split: str
    source: str


def load_labelled(path: Path, split: str | None = None) -> list[LabelledArticle]:
    """Every article of a YAML file, or of all ``*.yaml`` files under a directory."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    out: list[LabelledArticle] = []
    for file in files:
        for raw in yaml.safe_load(file.read_text(encoding="utf-8")) or []:
            article = LabelledArticle(
                id=str(raw["id"]),
                title=raw.get("title"),
                published_at=_text_or_none(raw.get("published_at")),
                text=str(raw["text"]),
                is_strike=bool(raw["is_strike"]),
                actor=raw.get("actor"),
                country=raw.get("country"),
                event_date=_text_or_none(raw.get("event_date")),
                militias=frozenset(raw.get("militias") or ()),
                split=str(raw.get("split", "dev")),
                source=file.name,
            )
            if split in (None, "all", article.split):
                out.append(article)
    return out


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)
