"""Nothing lost: text + removed account for the whole input, character for character.

Every removal must carry a known reason and a contiguous piece of the original
text, and the kept lines and the removals must interleave back into the input;
only whitespace, the control characters cleaning blanks (NUL and the like) and
the dashes of an AFP subhead may go unrecorded (``support.unaccounted``).

Inputs are the hand-written cases, the seeds, documents shuffled together from
their lines with random whitespace and control characters (seeded, so a failure
reproduces), and bodies over the size limit, through extract_document and the
enrich worker's build_article.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from newsingest.enrich.work import build_article
from newsingest.extract import Cleaned, Document, clean_text, extract_document
from newsingest.localrun import page_from_text
from newsingest.records import PageRecord, Removal, Span
from tests.unit.extract.support import (
    CLEANING,
    SEEDS,
    compact,
    load_yaml,
    seed_text,
    unaccounted,
)

CASES: list[dict[str, Any]] = load_yaml(CLEANING / "cases.yaml")
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
LINES = [
    line
    for text in [c["input"] for c in CASES] + SEED_TEXTS
    for line in text.splitlines()
    if line.strip()
]
_NOISE = ["", " ", "  ", "\t", "\x00", "\u200f", "\x0c", "\ufeff", "\r"]


def _random_document(rng: random.Random) -> str:
    chosen = rng.choices(LINES, k=rng.randint(1, 25))
    if rng.random() < 0.2:  # an article pasted two or three times
        chosen = chosen * rng.randint(2, 3)
    pieces = []
    for line in chosen:
        if rng.random() < 0.2:
            line = line.upper() if rng.random() < 0.5 else line.lower()
        if rng.random() < 0.2:
            cut = rng.randrange(len(line))
            line = line[cut:]
        pieces.append(rng.choice(_NOISE) + line + rng.choice(_NOISE))
    separator = rng.choice(["\n", "\n\n", "\r\n", " "])
    return separator.join(pieces)


def assert_accounts_for(source: str, cleaned: Cleaned | Document) -> None:
    assert unaccounted(source, cleaned.text, cleaned.headings, cleaned.removed) == ""


def assert_well_formed(cleaned: Cleaned | Document) -> None:
    lines = cleaned.text.split("\n") if cleaned.text else []
    assert all(line and line == line.strip() for line in lines)
    for heading in cleaned.headings:
        assert cleaned.text[heading.start : heading.end] == heading.text
        assert heading.text in lines


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_cases_lose_nothing(case: dict[str, Any]) -> None:
    cleaned = clean_text(case["input"], title=case.get("title"))
    assert_accounts_for(case["input"], cleaned)
    assert_well_formed(cleaned)


@pytest.mark.parametrize("text", SEED_TEXTS)
def test_seeds_lose_nothing(text: str) -> None:
    cleaned = clean_text(text)
    assert_accounts_for(text, cleaned)
    assert_well_formed(cleaned)


@pytest.mark.parametrize("seed", range(8))
def test_shuffled_documents_lose_nothing(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        document = _random_document(rng)
        cleaned = clean_text(document, title=rng.choice([None, *LINES[:5]]))
        assert_accounts_for(document, cleaned)
        assert_well_formed(cleaned)


def test_a_removal_is_never_kept_as_well() -> None:
    cleaned = clean_text(SEED_TEXTS[2])
    for removal in cleaned.removed:
        assert removal.text not in cleaned.text.split("\n")


# --- the accounting itself catches what it must --------------------------------


def test_the_accounting_sees_a_dropped_changed_or_misplaced_piece() -> None:
    source = "First line here.\nCaption text. Photo: Agency\nLast line here."
    kept = "First line here.\nLast line here."
    removal = Removal("Caption text. Photo: Agency", "caption")
    assert unaccounted(source, kept, [], [removal]) == ""
    assert unaccounted(source, kept, [], []) != ""  # dropped unrecorded
    assert unaccounted(source, kept, [], [Removal("Caption text.", "caption")]) != ""  # in part
    assert unaccounted(source, kept, [], [Removal("Caption text, Photo: Agency", "caption")])
    assert unaccounted(source, kept, [], [Removal(removal.text, "dirt")]) != ""  # unknown reason
    assert unaccounted(source, "Last line here.\nFirst line here.", [], [removal]) != ""
    assert unaccounted(source, kept.replace("First", "Fist"), [], [removal]) != ""
    assert unaccounted(source, kept, [], [removal, removal]) != ""  # recorded twice


def test_only_an_afp_subheads_dashes_may_go_with_its_heading() -> None:
    source = "He spoke.\n- Blatant aggression -\nThey left."
    text = "He spoke.\nBlatant aggression\nThey left."
    heading = Span("Blatant aggression", 10, 28)
    assert unaccounted(source, text, [heading], []) == ""
    assert unaccounted(source, text, [], []) != ""  # not a heading: the dashes were dropped
    assert unaccounted(text, text, [heading], []) == ""  # a heading without dashes, as well


# --- bodies over the size limit -------------------------------------------------


def _numbered_article(paragraphs: int) -> str:
    return "\n".join(
        f"Paragraph {n}: the strike hit depot {n} near the border, officials said on Monday."
        for n in range(paragraphs)
    )


@pytest.mark.parametrize("content_type", ["text/plain", "text/html"])
def test_a_body_under_the_limit_records_no_cut(content_type: str) -> None:
    body = _numbered_article(20)
    if content_type == "text/html":
        body = f"<html><body><article><p>{body.replace(chr(10), '</p><p>')}</p></article></body></html>"
    doc = extract_document(body, content_type=content_type, max_chars=len(body))
    assert "too_long" not in {r.reason for r in doc.removed}


def test_the_cut_falls_on_a_line_break_and_is_the_last_removal() -> None:
    body = _numbered_article(200)
    doc = extract_document(body, content_type="text/plain", max_chars=5_000)
    assert doc.removed[-1].reason == "too_long"
    assert [r.reason for r in doc.removed].count("too_long") == 1
    read, cut = body[: len(body) - len(doc.removed[-1].text) - 1], doc.removed[-1].text
    assert len(read) <= 5_000
    assert body == f"{read}\n{cut}"
    assert cut.startswith("Paragraph ")
    assert doc.text.endswith("on Monday.")
    assert_accounts_for(body, doc)


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("word " * 2_000, 1_000 * "word "),  # no line break near the limit: a space
        ("x" * 12_000, "x" * 5_000),  # no space at all: the limit itself
    ],
    ids=["space", "hard"],
)
def test_without_a_line_break_the_cut_takes_a_space_or_the_limit(body: str, kept: str) -> None:
    doc = extract_document(body, content_type="text/plain", max_chars=5_000)
    assert doc.text == kept.strip()
    assert doc.removed[-1].reason == "too_long"
    assert compact(doc.text + doc.removed[-1].text) == compact(body)


def test_html_over_the_limit_records_the_markup_not_read() -> None:
    paragraphs = "".join(f"<p>{line}</p>\n" for line in _numbered_article(300).split("\n"))
    body = f"<html><body><article>\n{paragraphs}</article></body></html>"
    doc = extract_document(body, content_type="text/html", max_chars=len(body) // 2)
    cut = doc.removed[-1]
    assert cut.reason == "too_long"
    assert body.endswith(cut.text)
    assert cut.text.startswith("<p>Paragraph ")
    assert "Paragraph 299" in cut.text
    assert "Paragraph 299" not in doc.text


def _page(body: str) -> PageRecord:
    return page_from_text(
        body, url="https://news.example/long-report", content_type="text/plain; charset=utf-8"
    )


def test_build_article_records_what_the_size_limit_cut() -> None:
    body = seed_text("003_cd663ec5c184e802.txt") + "\n" + _numbered_article(100)
    article = build_article(_page(body), max_chars=len(body) - 3_000)
    assert article.removed[-1].reason == "too_long"
    assert "Paragraph 99:" in article.removed[-1].text
    assert "Paragraph 99:" not in article.text
    assert unaccounted(body, article.text, article.headings, article.removed) == ""


def test_build_article_under_the_limit_is_unchanged_by_it() -> None:
    body = seed_text("003_cd663ec5c184e802.txt")
    unlimited = build_article(_page(body), max_chars=5_000_000)
    exact = build_article(_page(body), max_chars=len(body))
    assert (exact.text, exact.removed) == (unlimited.text, unlimited.removed)
    assert unaccounted(body, exact.text, exact.headings, exact.removed) == ""
