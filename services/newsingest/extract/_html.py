"""HTML to article text and metadata, with trafilatura and htmldate (one parse for both).

trafilatura's own ``with_metadata`` also hunts authors through the page body,
categories, tags, licence and site name: a third of the extraction cost for
fields the article record does not carry. We parse once and ask trafilatura's
metadata helpers only for what we keep: title, authors, canonical URL, and the
date from htmldate.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import trafilatura
from htmldate import find_date
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title, extract_url
from trafilatura.utils import load_html

from newsingest.errors import ExtractError, NewsingestError

# Settings chosen by measurement on the article-extraction benchmark (bench/README.md).
_SETTINGS: dict[str, Any] = {
    "include_comments": False,  # reader comments are not the article
    "favor_precision": False,  # with fast=True it cuts recall by three points
}
# fast=True skips trafilatura's fallback extractors: same quality on the benchmark and
# a quarter faster, except on pages where it returns the site menu (many short lines)
# or next to nothing of a big page; there we pay for the full extraction. (Retrying every
# short text costs more and scored lower on the benchmark.)
_MIN_TEXT_SHARE = 1 / 2000  # of the HTML's characters; the benchmark's lowest is 1/1000
_NAVIGATION_MIN_LINES = 40
_NAVIGATION_SHORT_CHARS = 25
_NAVIGATION_SHORT_SHARE = 0.6
_DATE_SETTINGS: dict[str, Any] = {"original_date": True, "extensive_search": False}
_HTML_LANG = re.compile(r"<html\b[^>]{0,600}?\blang\s*=\s*[\"']?([A-Za-z]{2})(?![A-Za-z])", re.I)
_LANG_WINDOW = 20_000  # the <html> tag sits near the start of a page
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)], " ")
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HtmlArticle:
    text: str
    headings: frozenset[str]
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None
    language: str | None = None
    canonical_url: str | None = None


def extract_html(body: str, url: str | None) -> HtmlArticle | None:
    """The main text of an HTML page and its metadata; None when there is no article."""
    if "\x00" in body or "\x0c" in body or "\x0b" in body:
        body = body.translate(_CONTROLS)  # lxml refuses NUL and other controls
    try:
        tree = load_html(body)
        if tree is None:
            return None
        # bare_extraction works on its own copy of the tree, leaving ours for the metadata
        doc = trafilatura.bare_extraction(tree, url=url, **_SETTINGS, fast=True)
        if doc is not None and not isinstance(doc, dict) and _worth_a_full_pass(doc.text, body):
            doc = trafilatura.bare_extraction(tree, url=url, **_SETTINGS, fast=False)
        if doc is None or isinstance(doc, dict) or not doc.text:
            return None
        headings = frozenset(
            " ".join(" ".join(h.itertext()).split()) for h in doc.body.iter("head")
        )
        meta = _metadata(tree, url)
    except (NewsingestError, RecursionError, MemoryError):
        raise  # a deadline (extract_timeout raised from a signal handler) keeps its reason
    except Exception as exc:  # lxml and trafilatura internals: a page we cannot parse
        raise ExtractError(f"trafilatura failed: {type(exc).__name__}: {exc}") from None
    return HtmlArticle(text=doc.text, headings=headings, language=_language(body), **meta)


def prime_extractor() -> None:
    """Pay trafilatura's one-time costs now rather than on the first page that needs them.

    Its last fallback (justext) builds a stop-word set of every language the first
    time it runs without a known language: about 0.8 s, which would land on one
    unlucky page (and its deadline) in each pool worker. Internals, so a failure here
    only costs that delay later.
    """
    try:
        from justext.core import define_stoplist
        from trafilatura import external

        define_stoplist(external.JT_STOPLIST or external.jt_stoplist_init())
    except Exception as exc:
        _log.debug("trafilatura's justext stop-words not primed: %s", exc)


def _worth_a_full_pass(text: str | None, body: str) -> bool:
    """Fast mode found next to nothing, or a menu rather than an article."""
    if len(text or "") < _MIN_TEXT_SHARE * len(body):
        return True
    lines = (text or "").split("\n")
    if len(lines) < _NAVIGATION_MIN_LINES:
        return False
    short = sum(1 for line in lines if len(line) < _NAVIGATION_SHORT_CHARS)
    return short >= _NAVIGATION_SHORT_SHARE * len(lines)


def _metadata(tree: Any, url: str | None) -> dict[str, Any]:
    meta = examine_meta(tree)
    try:
        meta = extract_meta_json(tree, meta)
    except Exception as exc:  # malformed JSON-LD must not lose the article
        _log.debug("JSON-LD metadata skipped: %s", exc)
    title = meta.title or extract_title(tree)
    canonical = meta.url or extract_url(tree, url)
    date = find_date(tree, url=canonical, **_DATE_SETTINGS)
    author = meta.author if meta.author and " " in meta.author else None
    return {
        "title": _clean(title),
        "authors": [a.strip() for a in (author or "").split(";") if a.strip()],
        "published_at": _clean(date),
        "canonical_url": _clean(canonical),
    }


def _language(body: str) -> str | None:
    match = _HTML_LANG.search(body, 0, _LANG_WINDOW)
    return match[1].lower() if match else None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None
