"""No input crashes or hangs the extractor: empty, huge, binary, broken, RTL, NUL.

Timeouts here guard against a hang (a regex gone quadratic), they time nothing.
"""

from __future__ import annotations

import random
import re
import unicodedata

import pytest
import trafilatura

from newsingest.errors import ExtractError
from newsingest.extract import clean_text, extract_document
from tests.unit.extract.support import CLEANING, load_yaml, unaccounted, words

PARAGRAPH = "The strike hit a depot near the border, officials said on Monday. " * 15


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        *[
            (b, t)
            for b in ("", "   ", "\n\n\t\r\n", "\x00\x00", "-- ...")
            for t in ("text/plain", "text/html")
        ],
        ("<html></html>", "text/html"),
        ("<html><head><title>Only a title</title></head><body></body></html>", "text/html"),
    ],
)
def test_nothing_to_extract_is_extract_empty(body: str, content_type: str) -> None:
    with pytest.raises(ExtractError) as caught:
        extract_document(body, content_type=content_type)
    assert caught.value.reason == "extract_empty"
    assert caught.value.retriable is False


def test_nul_bytes_and_controls_are_dropped_not_fatal() -> None:
    body = "The strike\x00 hit a depot.\x0b\nOfficials\x1f confirmed it.\ufeff"
    assert extract_document(body, content_type="text/plain").text == (
        "The strike hit a depot.\nOfficials confirmed it."
    )
    html = f"<html><body><article><p>{PARAGRAPH}\x00</p><p>{PARAGRAPH}</p></article></body></html>"
    assert "\x00" not in extract_document(html, content_type="text/html").text


@pytest.mark.timeout(60)
@pytest.mark.parametrize("layout", ["lines", "one_line", "same_line_repeated"])
def test_five_megabytes_of_text(layout: str) -> None:
    if layout == "lines":
        body = "".join(f"{n}: {PARAGRAPH}\n" for n in range(5_100))
    elif layout == "one_line":
        body = PARAGRAPH * 5_100
    else:
        body = (PARAGRAPH + "\n") * 5_100
    assert len(body) > 5_000_000
    doc = extract_document(body, content_type="text/plain")
    assert unaccounted(body, doc.text, doc.headings, doc.removed) == ""
    if layout == "same_line_repeated":  # one paragraph pasted over and over: its copies go
        assert doc.text == PARAGRAPH.strip()
        assert {r.reason for r in doc.removed} == {"duplicate"}
    else:
        assert doc.removed == []


@pytest.mark.timeout(60)
def test_five_megabytes_of_html() -> None:
    paragraphs = "".join(f"<p>{i}: {PARAGRAPH}</p>" for i in range(5_000))
    html = f"<html><body><article>{paragraphs}</article></body></html>"
    doc = extract_document(html, content_type="text/html")
    assert len(html) > 5_000_000
    assert doc.text.count("\n") > 4_000


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "body",
    [
        "A" * 200_000,
        "- " * 100_000,
        "(" * 50_000 + ")" * 50_000,
        "By " + "Aa " * 30_000,
        "Photo: " + "x" * 200_000,
        "Read more: " + "a " * 100_000,
        "Jane " * 50_000 + "for The Post",
        "Officials said. - X - " * 10_000,
        " date " + "2021-02-26 " * 50_000,
        "\n".join(["Home"] * 50_000),
        "© " + "2024 " * 50_000,
        "Drama " * 100_000,
    ],
    ids=lambda b: repr(b[:12]),
)
def test_adversarial_lines_stay_linear(body: str) -> None:
    cleaned = clean_text(body)
    assert isinstance(cleaned.text, str)


def _text_or_reason(body: str, content_type: str) -> str:
    """The extracted text, or the ExtractError's reason: the only two allowed outcomes."""
    try:
        return extract_document(body, content_type=content_type).text
    except ExtractError as exc:
        return exc.reason


JUNK_ENCODINGS = ["latin-1", "utf-8", "cp1252", "koi8-r"]
SCRIPTS: dict[str, str] = load_yaml(CLEANING / "scripts.yaml")


@pytest.mark.parametrize("size", [2_000, 200_000])
@pytest.mark.parametrize("encoding", JUNK_ENCODINGS)
@pytest.mark.parametrize("content_type", ["text/plain", "text/html", "application/xhtml+xml"])
def test_binary_junk_is_extract_empty(size: int, encoding: str, content_type: str) -> None:
    """Random bytes decoded as text (with replacement characters where they do not decode)."""
    for seed in range(3):
        body = random.Random(seed).randbytes(size).decode(encoding, errors="replace")
        assert _text_or_reason(body, content_type) == "extract_empty"


@pytest.mark.parametrize("encoding", JUNK_ENCODINGS)
def test_junk_without_controls_in_html_paragraphs_is_extract_empty(encoding: str) -> None:
    """No control characters to give it away: the extracted text has no words."""
    junk = random.Random(7).randbytes(60_000).decode(encoding, errors="replace")
    junk = "".join(c for c in junk if c.isprintable() and c not in "<>&\ufffd")
    paragraphs = "".join(f"<p>{junk[i : i + 400]}</p>" for i in range(0, len(junk), 400))
    html = f"<html><body><article>{paragraphs}</article></body></html>"
    assert _text_or_reason(html, "text/html") == "extract_empty"


@pytest.mark.parametrize(
    "body",
    [
        "Rockets struck the base on Tuesday, officials said.".encode("utf-16-le").decode("latin-1"),
        "\ufffd\ufffd\ufffd\ufffd strike \ufffd\ufffd\ufffd\ufffd\ufffd\ufffd depot \ufffd\ufffd\ufffd "
        * 20,
        "| 12 | +3 | == | 45 | -- | ## | 7 | ** |\n" * 20,
    ],
    ids=["utf16_read_as_latin1", "mostly_replacement_characters", "symbols_and_figures"],
)
def test_a_text_of_controls_replacement_characters_or_no_words_is_extract_empty(
    body: str,
) -> None:
    for content_type in ("text/plain", "text/html"):
        assert _text_or_reason(body, content_type) == "extract_empty"


@pytest.mark.parametrize("language", sorted(SCRIPTS))
def test_articles_in_other_scripts_pass(language: str) -> None:
    text = SCRIPTS[language]
    for form in ("NFC", "NFD"):  # decomposed: letters and combining marks apart
        body = unicodedata.normalize(form, text)
        assert extract_document(body, content_type="text/plain").text == body
        html = (
            f'<html lang="{language}"><head><title>{language}</title></head><body><article>'
            + "".join(f"<p>{s}</p>" for s in _sentences(body))
            + "</article></body></html>"
        )
        # trafilatura drops the zero-width non-joiner (Persian "سه‌شنبه" becomes one word)
        extracted = extract_document(html, content_type="text/html").text
        assert words(extracted) == words(body.replace("\u200c", ""))


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.。!?])\s*", text) if s]


def test_a_few_stray_controls_in_a_short_text_are_not_junk() -> None:
    assert extract_document(
        "Rockets\x00 hit\x01 the\x02 base.", content_type="text/plain"
    ).text == ("Rockets hit the base.")


def test_a_short_table_of_figures_is_not_judged_by_its_words() -> None:
    """Under 200 characters the share of words says too little: the text stays."""
    assert extract_document("A 2-1 win.", content_type="text/plain").text == "A 2-1 win."


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><div><p>" + PARAGRAPH + "<div><p>" + PARAGRAPH,
        "<html><body><p>" + PARAGRAPH + "</b></i></div></div></span><p>" + PARAGRAPH,
        "<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><body><p>"
        + PARAGRAPH
        + "</p></body></html>",
    ],
)
def test_unbalanced_html_still_gives_the_text(html: str) -> None:
    assert "strike hit a depot" in _text_or_reason(html, "text/html")


@pytest.mark.parametrize(
    "html",
    [
        "<p>" + PARAGRAPH + "</b></i></div></div></span>" + PARAGRAPH,
        "<html><head><title>Broken</head><body><article><p>" + PARAGRAPH + "</article>",
        "<<<>>><p " + PARAGRAPH + "</p></p></p>",
        "<!-- unclosed comment <p>" + PARAGRAPH,
        "<html><body>" + "<div>" * 5_000 + PARAGRAPH,
        "</html></body></p>" * 1_000,
    ],
)
def test_hopeless_html_is_an_extract_error_or_text(html: str) -> None:
    outcome = _text_or_reason(html, "text/html")
    assert outcome in {"extract_empty", "extract_failed"} or "strike hit a depot" in outcome


ARABIC = (
    "قالت وزارة الدفاع إن الضربة استهدفت مستودعا للأسلحة قرب الحدود. "
    "وأضافت أن أحدا من المدنيين لم يصب بأذى في الهجوم الذي وقع فجرا."
)


def test_right_to_left_text() -> None:
    body = f"{ARABIC}\n\u200f{ARABIC} المزيد\n"
    doc = extract_document(body, content_type="text/plain")
    assert words(doc.text) + sum((words(r.text) for r in doc.removed), words("")) == words(body)
    html = (
        '<html lang="ar" dir="rtl"><head><title>ضربة قرب الحدود</title></head><body><article>'
        + f"<p>{ARABIC}</p>" * 6
        + "</article></body></html>"
    )
    doc = extract_document(html, content_type="text/html; charset=utf-8")
    assert doc.language == "ar"
    assert "الضربة" in doc.text


def test_an_error_raised_inside_trafilatura_keeps_its_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The enrich worker's deadline raises ExtractError(extract_timeout) from a signal
    handler, i.e. from anywhere inside trafilatura: it must not become extract_failed."""

    def overrun(*args: object, **kwargs: object) -> None:
        raise ExtractError("deadline", reason="extract_timeout")

    monkeypatch.setattr(trafilatura, "bare_extraction", overrun)
    assert _text_or_reason("<html><body><p>x</p></body></html>", "text/html") == "extract_timeout"


def test_a_parser_crash_is_extract_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise KeyError("internal")

    monkeypatch.setattr(trafilatura, "bare_extraction", crash)
    assert _text_or_reason("<html><body><p>x</p></body></html>", "text/html") == "extract_failed"


@pytest.mark.timeout(60)
def test_a_headline_at_the_end_of_a_huge_text_is_still_found() -> None:
    body = "".join(f"{n}: {PARAGRAPH}\n" for n in range(3_000))
    body += "Famous Singer Announces Farewell Tour Across Europe\n"
    cleaned = clean_text(body)
    assert [(r.reason, r.text) for r in cleaned.removed] == [
        ("unrelated_headline", "Famous Singer Announces Farewell Tour Across Europe")
    ]
