"""Typed records: the wire contract of every topic, and their one codec.

Records are frozen slotted dataclasses; orjson encodes them natively (fast, no
pydantic on the hot path). Every record carries ``schema`` = name/major
version. The JSON Schemas in ``schemas/`` are checked against records built
by the code in the tests.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import types
import typing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

import orjson

from newsingest.errors import InvalidRecordError

URL_SCHEMA = "newsingest.url/1"
PAGE_SCHEMA = "newsingest.page/1"
ARTICLE_SCHEMA = "newsingest.article/1"
DLQ_SCHEMA = "newsingest.dlq/1"

UrlSource = Literal["feed", "sitemap", "api", "cli"]
StrikeType = Literal[
    "airstrike", "drone_strike", "missile", "rocket", "artillery", "bombing", "raid", "other"
]
Actor = Literal["us", "israel", "coalition", "iraq", "iran", "militia", "other", "unknown"]
MilitiaRole = Literal["target", "perpetrator", "mentioned"]


def utc_now() -> str:
    """Current time as ISO 8601 UTC with milliseconds, the one timestamp format."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def stable_id(text: str) -> str:
    """A stable 128-bit hex id of a string (url_id of a canonical URL, article_id...)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


# --- news.urls -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UrlHints:
    title: str | None = None
    published_at: str | None = None


@dataclass(frozen=True, slots=True)
class UrlRecord:
    url_id: str
    url: str
    source: UrlSource
    discovered_at: str
    source_name: str | None = None
    hints: UrlHints | None = None
    schema: str = URL_SCHEMA


# --- news.pages ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageRecord:
    url_id: str
    url: str
    final_url: str
    status: int
    fetched_at: str
    content_type: str
    charset: str | None
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    hints: UrlHints | None = None
    schema: str = PAGE_SCHEMA


# --- news.articles / news.strikes -------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of ``text``: ``text == article.text[start:end]``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Removal:
    """A piece of the input left out of ``text``, with the reason code why."""

    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class StrikeTag:
    is_strike: bool
    confidence: float
    type: StrikeType | None = None
    actor: Actor | None = None
    evidence: list[Span] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MilitiaTag:
    id: str
    name: str
    role: MilitiaRole
    mentions: list[Span] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LocationTag:
    name: str
    country: str | None
    lat: float | None
    lon: float | None
    mentions: list[Span] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CasualtyClaim:
    number: int
    claimant: str | None
    span: Span
    qualifier: str | None = None  # "at least", "up to", "about"...


@dataclass(frozen=True, slots=True)
class CasualtyCount:
    min: int
    max: int
    claims: list[CasualtyClaim] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Casualties:
    killed: CasualtyCount | None = None
    injured: CasualtyCount | None = None


@dataclass(frozen=True, slots=True)
class WeaponTag:
    id: str
    name: str
    mentions: list[Span] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Tags:
    strike: StrikeTag
    militias: list[MilitiaTag] = field(default_factory=list)
    locations: list[LocationTag] = field(default_factory=list)
    event_date: str | None = None
    casualties: Casualties = field(default_factory=Casualties)
    weapons: list[WeaponTag] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    article_id: str
    url_id: str
    url: str
    canonical_url: str
    source_domain: str
    title: str | None
    authors: list[str]
    published_at: str | None
    language: str | None
    text: str
    headings: list[Span]
    removed: list[Removal]
    content_hash: str
    tags: Tags
    classifier_version: str
    fetched_at: str
    enriched_at: str
    schema: str = ARTICLE_SCHEMA


# --- news.dlq ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OriginalMessage:
    """Where a dead-lettered input came from, and its bytes.

    ``key``/``value`` hold the bytes as UTF-8 text when they decode, else base64
    (``encoding`` says which), so a consumer can replay them exactly.
    """

    topic: str | None
    partition: int | None
    offset: int | None
    key: str | None
    value: str
    encoding: Literal["utf-8", "base64"] = "utf-8"


@dataclass(frozen=True, slots=True)
class DlqRecord:
    stage: str
    reason: str
    error: str
    retriable: bool
    attempts: int
    first_failed_at: str
    failed_at: str
    service_version: str
    original: OriginalMessage
    url_id: str | None = None
    url: str | None = None
    schema: str = DLQ_SCHEMA


# --- codec -------------------------------------------------------------------

R = TypeVar("R")


def encode(record: object) -> bytes:
    """Encode a record (or any orjson-serialisable value) to JSON bytes."""
    return orjson.dumps(record)


def decode(cls: type[R], data: bytes | str) -> R:
    """Decode JSON bytes into record type ``cls``; raise InvalidRecordError when it doesn't fit."""
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidRecordError(f"not JSON: {exc}") from None
    return from_dict(cls, obj)


def from_dict(cls: type[R], obj: Any) -> R:
    """Build record type ``cls`` from decoded JSON, checking the schema name."""
    name = cls.__name__
    if not isinstance(obj, dict):
        raise InvalidRecordError(f"{name}: expected a JSON object, got {type(obj).__name__}")
    expected = _schema_of(cls)
    if expected is not None and obj.get("schema", expected) != expected:
        raise InvalidRecordError(f"{name}: schema {obj.get('schema')!r} is not {expected!r}")
    try:
        return typing.cast(R, _build(cls, obj, cls.__name__))
    except (TypeError, ValueError) as exc:
        raise InvalidRecordError(str(exc)) from None


def _schema_of(cls: type[Any]) -> str | None:
    for f in dataclasses.fields(cls):
        if f.name == "schema" and isinstance(f.default, str):
            return f.default
    return None


@functools.cache
def _hints(cls: type[Any]) -> tuple[tuple[str, Any, bool], ...]:
    hints = get_type_hints(cls)
    return tuple(
        (
            f.name,
            hints[f.name],
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in dataclasses.fields(cls)
    )


def _build(tp: Any, value: Any, path: str) -> Any:
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = get_args(tp)
        if value is None:
            if type(None) in args:
                return None
            raise TypeError(f"{path}: must not be null")
        inner = [a for a in args if a is not type(None)]
        return _build(inner[0], value, path)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, dict):
            raise TypeError(f"{path}: expected an object")
        kwargs: dict[str, Any] = {}
        for name, ftype, required in _hints(tp):
            if name in value:
                kwargs[name] = _build(ftype, value[name], f"{path}.{name}")
            elif required:
                raise TypeError(f"{path}: missing field {name!r}")
        return tp(**kwargs)
    if origin is list:
        if not isinstance(value, list):
            raise TypeError(f"{path}: expected a list")
        (item,) = get_args(tp)
        return [_build(item, v, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise TypeError(f"{path}: expected an object")
        return {str(k): str(v) for k, v in value.items()}
    if origin is Literal:
        if value not in get_args(tp):
            raise ValueError(f"{path}: {value!r} is not one of {get_args(tp)}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{path}: expected a number")
        return float(value)
    if tp in (str, int, bool):
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            raise TypeError(f"{path}: expected {tp.__name__}, got {type(value).__name__}")
        return value
    if tp is Any:
        return value
    raise TypeError(f"{path}: unsupported type {tp!r}")
