"""Paths to the cleaning fixtures and the sample pages; the 'nothing lost' accounting."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from newsingest.extract import REASONS
from newsingest.records import Removal, Span

ROOT = Path(__file__).resolve().parents[3]
CLEANING = ROOT / "tests" / "data" / "cleaning"
SEEDS = ROOT / "samples" / "seeds"
HTML_SAMPLES = ROOT / "samples" / "html"

_WORD = re.compile(r"\w+")
# What cleaning may drop without a record: whitespace (it puts one paragraph per line
# with single spaces) and the control characters it turns into spaces (NUL and the like).
_UNRECORDED = re.compile(r"[\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]+")


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def words(text: str) -> Counter[str]:
    """The multiset of words of a text."""
    return Counter(_WORD.findall(text))


def seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def compact(text: str) -> str:
    return _UNRECORDED.sub("", text)


def unaccounted(
    source: str, text: str, headings: Sequence[Span], removed: Sequence[Removal]
) -> str:
    """What of ``source`` the kept lines and the removals do not account for ('' if nothing).

    Accounted for means: every removal has a known reason and non-blank text, and
    the kept lines and the removed pieces, each list in its own order, interleave
    into exactly the source, character for character, once whitespace and the
    control characters cleaning blanks are left out of both. So no character is
    lost, changed or added anywhere, and each removal is a contiguous piece of the
    original. The one other change allowed is structure: a heading may have stood
    as "- Heading -" (an AFP-style subhead) in the source.
    """
    for removal in removed:
        if removal.reason not in REASONS or not removal.text.strip():
            return f"bad removal {removal!r}"
    target = compact(source)
    lines = text.split("\n") if text else []
    kept = [compact(line) for line in lines]
    gone = [compact(r.text) for r in removed]
    heading_lines = {text.count("\n", 0, h.start) for h in headings}
    # Depth-first over (kept lines used, removals used, characters matched); the same
    # state is never expanded twice, so repeated paragraphs cannot blow it up.
    stack = [(0, 0, 0)]
    expanded: set[tuple[int, int, int]] = set()
    furthest = 0
    while stack:
        state = stack.pop()
        if state in expanded:
            continue
        expanded.add(state)
        i, j, pos = state
        furthest = max(furthest, pos)
        if i == len(kept) and j == len(gone) and pos == len(target):
            return ""
        if i < len(kept):
            if target.startswith(kept[i], pos):
                stack.append((i + 1, j, pos + len(kept[i])))
            if i in heading_lines and target.startswith(f"-{kept[i]}-", pos):
                stack.append((i + 1, j, pos + len(kept[i]) + 2))
        if j < len(gone) and target.startswith(gone[j], pos):
            stack.append((i, j + 1, pos + len(gone[j])))
    return f"accounted for up to {target[furthest : furthest + 80]!r}"
