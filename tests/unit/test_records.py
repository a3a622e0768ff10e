"""The record codec: round trips, and a clear error naming the field for every misfit."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from newsingest.enrich import build_article
from newsingest.errors import InvalidRecordError
from newsingest.records import (
    ArticleRecord,
    EncodedArticle,
    PageRecord,
    UrlHints,
    UrlRecord,
    decode,
    encode,
    stable_id,
    utc_now,
)
from newsingest.urls import url_record

SEED = Path(__file__).resolve().parents[2] / "samples" / "seeds"


def page(body: str = "An article.", **overrides: object) -> PageRecord:
    url = "https://example.com/a"
    values: dict[str, object] = {
        "url_id": stable_id(url),
        "url": url,
        "final_url": url,
        "status": 200,
        "fetched_at": utc_now(),
        "content_type": "text/plain",
        "charset": "utf-8",
        "body": body,
    }
    values.update(overrides)
    return PageRecord(**values)  # type: ignore[arg-type]


def test_records_survive_a_round_trip() -> None:
    url = url_record(
        "https://example.com/a?utm_source=x", "api", hints=UrlHints(title="T", published_at=None)
    )
    assert decode(UrlRecord, encode(url)) == url
    fixed = page()
    assert decode(PageRecord, encode(fixed)) == fixed
    for seed in sorted(SEED.glob("*.txt")):
        article = build_article(page(seed.read_text(encoding="utf-8")), 5_000_000)
        assert decode(ArticleRecord, encode(article)) == article


def test_an_encoded_article_carries_its_bytes_and_counts_that_agree_with_them() -> None:
    seed = sorted(SEED.glob("*.txt"))[0].read_text(encoding="utf-8")
    article = build_article(page(seed + "\nComments are closed for this article.\n"), 5_000_000)
    encoded = EncodedArticle.of(article)
    assert decode(ArticleRecord, encoded.value) == article
    assert (encoded.article_id, encoded.is_strike) == (article.article_id, True)
    reasons = [r.reason for r in article.removed]
    assert encoded.removed == {reason: reasons.count(reason) for reason in set(reasons)}
    assert encoded.removed.get("trailer", 0) >= 1
    assert encoded.tags == {
        "strike": 1,
        "militia": len(article.tags.militias),
        "location": len(article.tags.locations),
        "weapon": len(article.tags.weapons),
    }
    assert encoded.tags["militia"] >= 1


def misfit(cls: type[object], mutate: dict[str, object]) -> str:
    value = orjson.loads(encode(page()))
    value.update(mutate)
    with pytest.raises(InvalidRecordError) as caught:
        decode(cls, orjson.dumps(value))
    return str(caught.value)


def test_a_misfit_is_named_with_its_path() -> None:
    assert misfit(PageRecord, {"status": "200"}) == "PageRecord.status: expected int, got str"
    assert misfit(PageRecord, {"status": True}) == "PageRecord.status: expected int, got bool"
    assert misfit(PageRecord, {"body": None}) == "PageRecord.body: expected str, got NoneType"
    assert misfit(PageRecord, {"hints": {"title": None, "published_at": 1}}).startswith(
        "PageRecord.hints.published_at: expected str"
    )
    assert "PageRecord.hints.title: expected str" in misfit(PageRecord, {"hints": {"title": 3}})
    assert misfit(PageRecord, {"schema": "newsingest.page/9"}).startswith(
        "PageRecord: schema 'newsingest.page/9'"
    )
    value = orjson.loads(encode(page()))
    del value["url"]
    with pytest.raises(InvalidRecordError, match=r"PageRecord: missing field 'url'"):
        decode(PageRecord, orjson.dumps(value))


def test_nested_lists_and_literals_name_the_item() -> None:
    article = orjson.loads(encode(build_article(page("Rockets hit a base."), 5_000_000)))
    article["removed"] = [{"text": "x", "reason": "trailer"}, {"text": 5, "reason": "trailer"}]
    with pytest.raises(
        InvalidRecordError, match=r"ArticleRecord\.removed\[1\]\.text: expected str"
    ):
        decode(ArticleRecord, orjson.dumps(article))
    article["removed"] = []
    article["tags"]["strike"]["actor"] = "martians"
    with pytest.raises(InvalidRecordError, match=r"ArticleRecord\.tags\.strike\.actor: 'martians'"):
        decode(ArticleRecord, orjson.dumps(article))


def test_not_json_and_not_an_object() -> None:
    with pytest.raises(InvalidRecordError, match="not JSON"):
        decode(PageRecord, b"{nope")
    with pytest.raises(InvalidRecordError, match="expected a JSON object, got list"):
        decode(PageRecord, b"[]")
