"""What extraction and cleaning return, and the reason codes of a removal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from newsingest.records import Removal, Span

# Why a piece of the input is not in the article text (``Removal.reason``):
TRAILER: Final = "trailer"  # site chrome: comments notice, newsletter, "Read more", related
#                             links, share/follow, copyright, update notes, reporting credits
UNRELATED_HEADLINE: Final = "unrelated_headline"  # another story's headline: glued at an
#                                                   edge, or an all-capitals link line
CAPTION: Final = "caption"  # a picture caption (with or without its credit)
CREDIT: Final = "credit"  # a picture/agency credit alone: "Getty Images", "(PA)"
METADATA_PREFIX: Final = "metadata_prefix"  # "date 2021-02-26", "By Jane Doe" before the body
DUPLICATE: Final = "duplicate"  # a paragraph or a run of them seen before (an article
#                                 pasted twice), or the title repeated as a line
FRAGMENT: Final = "fragment"  # a piece cut mid-sentence from another text
TOO_LONG: Final = "too_long"  # the end of a body over the size limit, not read at all

REASONS: Final[frozenset[str]] = frozenset(
    {TRAILER, UNRELATED_HEADLINE, CAPTION, CREDIT, METADATA_PREFIX, DUPLICATE, FRAGMENT, TOO_LONG}
)


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The result of ``clean_text``: the article text and an account of the rest."""

    text: str  # one paragraph per line; headings are their own lines
    headings: list[Span] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    published_at: str | None = None  # a date found in a metadata prefix
    authors: list[str] = field(default_factory=list)  # names found in a leading byline


@dataclass(frozen=True, slots=True)
class Document:
    """An extracted, cleaned article."""

    text: str
    title: str | None
    authors: list[str]
    published_at: str | None  # ISO 8601 date or datetime
    language: str | None  # ISO 639-1 when known
    canonical_url: str | None
    headings: list[Span]
    removed: list[Removal]
