"""extract_document: any fetched body to a cleaned Document."""

from __future__ import annotations

import re
from datetime import datetime

from newsingest.errors import ExtractError
from newsingest.extract._clean import clean_text
from newsingest.extract._html import extract_html
from newsingest.extract._model import Document

_WORD = re.compile(r"\w")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xhtml"})


def is_html(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() in _HTML_TYPES


def extract_document(
    body: str,
    *,
    content_type: str,
    url: str | None = None,
    published_hint: str | None = None,
) -> Document:
    """Extract (HTML) and clean (everything) one page.

    Raises ExtractError(reason="extract_empty") when no article text remains and
    ExtractError(reason="extract_failed") when the HTML cannot be parsed at all.
    """
    hint = _iso_or_none(published_hint)
    if not is_html(content_type):
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
            removed=cleaned.removed,
        )
    article = extract_html(body, url)
    if article is None:
        raise ExtractError("trafilatura found no main text", reason="extract_empty")
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
        removed=cleaned.removed,
    )


def _iso_or_none(value: str | None) -> str | None:
    """The hint when it is ISO 8601 (date or datetime), else None."""
    if not value or not value.strip():
        return None
    try:
        datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return value.strip()
