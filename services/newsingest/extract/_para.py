"""A paragraph on its way through the cleaning passes."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsingest.records import Removal


@dataclass(slots=True)
class Para:
    """One line of the text: kept, removed whole (``reason``), or with pieces split off."""

    text: str
    heading: bool = False
    marked: str | None = None  # the line as it stood when markers were taken off ("- X -")
    reason: str | None = None  # set when the whole paragraph is removed
    opens_tail: bool = False  # a trailer after which only chrome may follow
    before: list[Removal] = field(default_factory=list)  # pieces split off its start
    after: list[Removal] = field(default_factory=list)  # pieces split off its end

    @property
    def kept(self) -> bool:
        return self.reason is None


def ends(paras: list[Para]) -> tuple[Para, Para] | None:
    """The first and the last kept paragraphs, when two or more are kept.

    Found from either end: the edge passes ask for them again after each removal.
    """
    first = next((p for p in paras if p.kept), None)
    last = next((p for p in reversed(paras) if p.kept), None)
    if first is None or last is None or first is last:
        return None
    return first, last
