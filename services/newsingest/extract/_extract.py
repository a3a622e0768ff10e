"""extract_document: any fetched body to a cleaned Document."""

from __future__ import annotations

import re
from datetime import datetime

from newsingest.errors import ExtractError
from newsingest.extract import _model as reason
from newsingest.extract._clean import clean_text
from newsingest.extract._html import extract_html
from newsingest.extract._model import Document
from newsingest.extract._textness import not_text_reason
from newsingest.records import Removal

_WORD = re.compile(r"\w")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xhtml"})
_CUT_LOOKBACK = 10_000  # a body over the limit is cut at a line break this close, else a space


def is_html(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() in _HTML_TYPES


def extract_document(
    body: str,
    *,
    content_type: str,
    url: str | None = None,
    published_hint: str | None = None,
    max_chars: int | None = None,
) -> Document:
    """Extract (HTML) and clean (everything) one page.

    A body longer than ``max_chars`` is read only up to there; the rest is the
    last entry of ``removed``, reason ``too_long`` (see ``cut_body``). For HTML,
    ``text`` and ``removed`` account for the text trafilatura takes from the page
    (markup, and the page chrome it leaves out, are not recorded), plus that cut.

    Raises ExtractError(reason="extract_empty") when no article text remains or
    the body is not text at all (binary junk decoded as text), and
    ExtractError(reason="extract_failed") when the HTML cannot be parsed at all.
    """
    body, cut = cut_body(body, max_chars)
    hint = _iso_or_none(published_hint)
    if not is_html(content_type):
        _refuse_unless_text(not_text_reason(body))
        cleaned = clean_text(body)
        if not _WORD.search(cleaned.text):
            raise ExtractError("no article text in the plain-text body", reason="extract_empty")
        return Document(
            text=cleaned.text,
            title=None,
            authors=cleaned.authors,
            published_at=hint or cleaned.published_at,
            language=None,
            canonical_url=None,
            headings=cleaned.headings,
            removed=cleaned.removed + cut,
        )
    _refuse_unless_text(not_text_reason(body, markup=True))
    article = extract_html(body, url)
    if article is None:
        raise ExtractError("trafilatura found no main text", reason="extract_empty")
    _refuse_unless_text(not_text_reason(article.text))
    cleaned = clean_text(article.text, title=article.title, headings=article.headings)
    if not _WORD.search(cleaned.text):
        raise ExtractError("nothing left after cleaning", reason="extract_empty")
    return Document(
        text=cleaned.text,
        title=article.title,
        authors=article.authors or cleaned.authors,
        published_at=article.published_at or hint or cleaned.published_at,
        language=article.language,
        canonical_url=article.canonical_url,
        headings=cleaned.headings,
        removed=cleaned.removed + cut,
    )


def cut_body(body: str, max_chars: int | None) -> tuple[str, list[Removal]]:
    """The body up to ``max_chars``, and the rest as a ``too_long`` removal.

    The cut falls on a line break (else a space) within the last ``_CUT_LOOKBACK``
    characters when there is one, so that no word is split between the text and
    the removal. The rest is recorded whole, not summarised: ``text`` plus
    ``removed`` must still account for the whole input. That costs no more than
    the input itself: the article record stays about as large as the page record
    that already crossed ``news.pages`` (the fetch stage caps bodies at
    ``max_body_bytes``, 5 MiB by default, just above the enrich default of
    5,000,000 characters, so by default the cut is at most a few hundred KB).
    """
    if max_chars is None or len(body) <= max_chars:
        return body, []
    start = max(0, max_chars - _CUT_LOOKBACK)
    at = body.rfind("\n", start, max_chars + 1)
    if at < 0:
        at = body.rfind(" ", start, max_chars + 1)
    if at < 0:
        at = max_chars
    rest = body[at:].strip()
    return body[:at], [Removal(rest, reason.TOO_LONG)] if rest else []


def _refuse_unless_text(why: str | None) -> None:
    if why is not None:
        raise ExtractError(f"the body does not read as text: {why}", reason="extract_empty")


def _iso_or_none(value: str | None) -> str | None:
    """The hint when it is ISO 8601 (date or datetime), else None."""
    if not value or not value.strip():
        return None
    try:
        datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return value.strip()
