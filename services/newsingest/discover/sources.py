"""The sources to poll, read from ``settings.sources_file`` (TOML or YAML).

TOML::

    [[sources]]
    name = "example-world"                # a metric label: keep names few and stable
    url = "https://example.com/world/rss.xml"
    kind = "feed"                         # feed | sitemap | auto (from the document)
    interval_s = 120                      # optional, default discover.poll_interval_s

YAML: the same under a top-level ``sources:`` list.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SourceKind = Literal["feed", "sitemap", "auto"]


class Source(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    url: str
    kind: SourceKind = "auto"
    interval_s: float | None = Field(None, gt=0)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("a source URL must be http(s)")
        return value


class _SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[Source] = Field(default_factory=list)


def load_sources(path: Path) -> list[Source]:
    """Sources from a TOML (``.toml``) or YAML file; ValueError when malformed."""
    text = path.read_text(encoding="utf-8")
    data: Any
    data = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text) or {}
    try:
        sources = _SourcesFile.model_validate(data).sources
    except ValidationError as exc:
        raise ValueError(f"{path}: {exc}") from None
    names = [s.name for s in sources]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{path}: duplicate source names {duplicates}")
    return sources
