"""Paths to the cleaning fixtures and the sample pages, and a word-count helper."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
CLEANING = ROOT / "tests" / "data" / "cleaning"
SEEDS = ROOT / "samples" / "seeds"
HTML_SAMPLES = ROOT / "samples" / "html"

_WORD = re.compile(r"\w+")


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def words(text: str) -> Counter[str]:
    """The multiset of words of a text: what 'nothing lost' is checked against."""
    return Counter(_WORD.findall(text))


def seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")
