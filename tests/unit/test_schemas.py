"""The JSON Schema files are the contract: generated from the records, and records
built by the code validate against them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from newsingest.enrich import build_article
from newsingest.errors import FetchError
from newsingest.localrun import page_from_text
from newsingest.records import UrlHints, encode
from newsingest.runner.deadletter import dead_letter
from newsingest.runner.message import Message
from newsingest.schemas import HERE, load, render
from newsingest.urls import url_record

SEEDS = sorted((Path(__file__).resolve().parents[2] / "samples" / "seeds").glob("*.txt"))


def _valid(file_name: str, record: object) -> None:
    schema = load(file_name)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(orjson.loads(encode(record)), schema)


def test_schema_files_match_the_record_types() -> None:
    for name, content in render().items():
        assert (HERE / name).read_bytes() == content, (
            f"{name} is stale: python -m newsingest.schemas"
        )


def test_url_and_page_records_validate() -> None:
    url = url_record("https://Example.com/a?utm_source=x", "api", hints=UrlHints(title="T"))
    _valid("url.schema.json", url)
    _valid("page.schema.json", page_from_text("text", url=url.url, content_type="text/plain"))


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_enriched_seed_articles_validate(seed: Path) -> None:
    page = page_from_text(seed.read_text(), url=seed.as_uri(), content_type="text/plain")
    _valid("article.schema.json", build_article(page, 5_000_000))


def test_dlq_record_validates() -> None:
    message = Message("news.urls", 0, 7, b"k", b"\xff\x00", [], 0)
    out = dead_letter(message, FetchError("boom", reason="timeout"), "fetch", "news.dlq", "1")
    jsonschema.validate(orjson.loads(out.value), load("dlq.schema.json"))


def test_schema_rejects_a_record_missing_a_field() -> None:
    record: dict[str, Any] = orjson.loads(encode(url_record("https://example.com/", "cli")))
    del record["url_id"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(record, load("url.schema.json"))
