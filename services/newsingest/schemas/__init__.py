"""JSON Schemas of every topic's records, generated from ``records.py``.

The files beside this module are the published contract; ``python -m
newsingest.schemas`` rewrites them and a test fails when they drift from the
code. Every field is always present on the wire, so every field is required;
``schema`` is a constant per record type.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import orjson
from pydantic import TypeAdapter

from newsingest.incidents.record import IncidentRecord
from newsingest.records import ArticleRecord, DlqRecord, PageRecord, UrlRecord

HERE = Path(__file__).parent

# topic role -> (file, record type)
RECORD_TYPES: dict[str, tuple[str, type[Any]]] = {
    "urls": ("url.schema.json", UrlRecord),
    "pages": ("page.schema.json", PageRecord),
    "articles": ("article.schema.json", ArticleRecord),
    "strikes": ("article.schema.json", ArticleRecord),
    "dlq": ("dlq.schema.json", DlqRecord),
    "incidents": ("incident.schema.json", IncidentRecord),
}


def _tighten(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node["required"] = list(node["properties"])
            node.pop("default", None)
        for value in node.values():
            _tighten(value)
    elif isinstance(node, list):
        for value in node:
            _tighten(value)


def schema_for(record_type: type[Any]) -> dict[str, Any]:
    schema: dict[str, Any] = TypeAdapter(record_type).json_schema()
    _tighten(schema)
    name = str(next(f.default for f in dataclasses.fields(record_type) if f.name == "schema"))
    schema["properties"]["schema"] = {"const": name}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://newsingest.dev/schemas/{name.replace('/', '-v')}.json"
    strike = schema.get("$defs", {}).get("StrikeTag")
    if strike:
        strike["properties"]["confidence"].update(minimum=0, maximum=1)
    return schema


def render() -> dict[str, bytes]:
    """File name -> content, for every record type."""
    files: dict[str, bytes] = {}
    for file_name, record_type in RECORD_TYPES.values():
        files[file_name] = (
            orjson.dumps(schema_for(record_type), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
            + b"\n"
        )
    return files


def load(file_name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads((HERE / file_name).read_bytes())
    return loaded
