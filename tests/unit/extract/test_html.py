"""HTML pages: trafilatura's text and metadata, then the same cleaning as plain text."""

from __future__ import annotations

import pytest

from newsingest.extract import Document, extract_document, is_html
from tests.unit.extract.support import HTML_SAMPLES


def _sample(name: str) -> Document:
    body = (HTML_SAMPLES / name).read_text(encoding="utf-8")
    return extract_document(body, content_type="text/html; charset=utf-8", url="https://x.test/a")


def test_strike_report_text_and_metadata() -> None:
    doc = _sample("strike-iraq-syria.html")
    assert doc.title == "US strikes 85 targets in Iraq and Syria after deadly drone attack"
    assert doc.authors == ["Sample Desk"]
    assert doc.published_at == "2024-02-03"
    assert doc.language == "en"
    assert doc.canonical_url == "https://samples.newsingest.example/world/us-strikes-iraq-syria"
    assert doc.text.startswith("The United States carried out air strikes on more than 85 targets")
    assert doc.text.endswith("at times and places of America's choosing.")
    assert "Business" not in doc.text  # the menu
    assert "About" not in doc.text  # the footer
    assert [h.text for h in doc.headings] == ["Bombers flown from the United States"]


def test_title_repeated_in_the_body_is_a_recorded_duplicate() -> None:
    doc = _sample("strike-iraq-syria.html")
    assert [(r.reason, r.text) for r in doc.removed] == [
        ("duplicate", "US strikes 85 targets in Iraq and Syria after deadly drone attack")
    ]


def test_non_strike_story() -> None:
    doc = _sample("telescope-launch.html")
    assert doc.language == "en"  # from lang="en-GB"
    assert doc.published_at == "2021-12-25"
    assert doc.text.count("\n") == 4
    assert "Ariane 5" in doc.text


def test_captions_related_links_and_newsletter_do_not_reach_the_text() -> None:
    doc = _sample("cathedral-reopens-chrome.html")
    for chrome in (
        "Photo: Sample Agency",
        "restored nave, cleaned",
        "Sign up",
        "The Culture Letter",
        "Paris Museums Extend",
        "Read more",
        "Comments are closed",
        "All rights reserved",
        "Share this article",
    ):
        assert chrome not in doc.text, chrome
    reasons = {(r.reason, r.text) for r in doc.removed}
    assert ("trailer", "Read more: How the spire was rebuilt in oak") in reasons
    assert ("trailer", "Comments are closed for this article.") in reasons
    assert doc.text.startswith("Notre-Dame de Paris has reopened")
    assert doc.text.count("\n") == 4


def test_published_hint_used_when_the_page_has_no_date() -> None:
    page = "<html><body><article>" + "<p>The strike hit a depot near the border.</p>" * 8
    page += "</article></body></html>"
    doc = extract_document(page, content_type="text/html", published_hint="2024-01-04T09:00:00Z")
    assert doc.published_at == "2024-01-04T09:00:00Z"


def test_a_hint_that_is_not_iso_is_ignored() -> None:
    doc = extract_document(
        "A drone strike hit a truck.", content_type="text/plain", published_hint="last Tuesday"
    )
    assert doc.published_at is None


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/html", True),
        ("TEXT/HTML; charset=ISO-8859-1", True),
        ("application/xhtml+xml", True),
        ("text/plain", False),
        ("text/plain; charset=utf-8", False),
        ("application/json", False),
        ("", False),
    ],
)
def test_which_content_types_are_html(content_type: str, expected: bool) -> None:
    assert is_html(content_type) is expected


def test_plain_text_that_looks_like_html_is_not_parsed() -> None:
    doc = extract_document("<p>A drone strike hit a truck.</p>", content_type="text/plain")
    assert doc.text == "<p>A drone strike hit a truck.</p>"
    assert (doc.title, doc.language, doc.canonical_url) == (None, None, None)
