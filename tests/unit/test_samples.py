"""The line ``newsingest run --with-samples`` prints per article, from the real records."""

from __future__ import annotations

from pathlib import Path

import orjson

from newsingest.enrich import build_article
from newsingest.localrun import page_from_text
from newsingest.records import encode
from newsingest.samples import describe, display_title, sample_files

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _article(path: Path) -> dict[str, object]:
    content_type = "text/html" if path.suffix == ".html" else "text/plain"
    page = page_from_text(path.read_text(), url=path.as_uri(), content_type=content_type)
    record: dict[str, object] = orjson.loads(encode(build_article(page, 5_000_000)))
    return record


def test_plain_text_seeds_show_their_lead_sentence_not_the_url() -> None:
    seeds = [p for p in sample_files(SAMPLES) if p.suffix == ".txt"]
    assert len(seeds) == 5
    for path in seeds:
        article = _article(path)
        assert article["title"] is None  # plain text has no headline
        title = describe(article).split(" | ")[0]
        assert path.name not in title
        assert "file:" not in title
        assert str(article["text"]).startswith(title.removesuffix("…"))
        assert len(title) <= 80
    first = _article(seeds[0])
    assert display_title(first) == (
        "A senior commander of an Iran-backed militia has been killed in a US drone…"
    )


def test_html_samples_keep_their_headline() -> None:
    article = _article(SAMPLES / "html/strike-iraq-syria.html")
    assert describe(article).startswith(
        "US strikes 85 targets in Iraq and Syria after deadly drone attack | strike |"
    )


def test_first_sentence_keeps_abbreviations_and_numbers_whole() -> None:
    assert display_title({"text": "U.S. jets hit 3.5 km away. More later."}) == (
        "U.S. jets hit 3.5 km away."
    )
    assert display_title({"text": 'He said "we will answer." Then he left.'}) == (
        'He said "we will answer."'
    )


def test_without_title_or_text_the_urls_file_name_stands_in() -> None:
    assert display_title({"url": "http://127.0.0.1:8000/seeds/000_d5.txt", "text": ""}) == (
        "000_d5.txt"
    )
    assert display_title({"url": "http://127.0.0.1:8000/"}) == "http://127.0.0.1:8000/"
