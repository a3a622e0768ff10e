"""Turning body bytes into text: BOM, HTTP header, <meta>, then detection.

A declared charset that does not decode the bytes (a mislabelled page) is
skipped rather than trusted, and detection (charset-normalizer) decides.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from newsingest.errors import FetchError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_PRESCAN_BYTES = 4096
_NEAR_TIE = 0.1  # charset-normalizer "chaos" difference treated as a tie


def charset_from_content_type(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def decode_body(body: bytes, content_type: str) -> tuple[str, str]:
    """``(text, charset used)``; raise FetchError(decode_error) when no charset fits."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            text = _strict(body[len(bom) :], name)
            if text is None:
                raise FetchError(
                    f"body does not decode as {name} despite its BOM", reason="decode_error"
                )
            return text, name
    candidates: list[str | None] = [charset_from_content_type(content_type)]
    if "html" in content_type or "xml" in content_type:
        match = _META.search(body[:_PRESCAN_BYTES])
        candidates.append(match.group(1).decode("ascii") if match else None)
    for declared in candidates:
        known = _known(declared)
        if known and (decoded := _strict(body, known)) is not None:
            return decoded, known
    if not body:
        return "", "utf-8"
    if (text := _strict(body, "utf-8")) is not None:
        return text, "utf-8"
    for encoding in _detected(body[:262_144]):
        if (text := _strict(body, encoding)) is not None:
            return text, _known(encoding) or encoding
    raise FetchError("body does not decode in any detected charset", reason="decode_error")


def _detected(sample: bytes) -> list[str]:
    """Detected encodings, most plausible first.

    On short Western-European text charset-normalizer often ranks a Baltic or
    Central-European code page just above windows-1252 (e.g. cp1257 for French,
    turning "è" into "č"). windows-1252 is by far the most common legacy charset
    of the web and the browsers' fallback, so it wins near-ties.
    """
    matches = list(charset_normalizer.from_bytes(sample))
    if not matches:
        return []
    ranked = [m.encoding for m in matches]
    best_chaos = matches[0].chaos
    for match in matches:
        if match.encoding == "cp1252" and match.chaos <= best_chaos + _NEAR_TIE:
            ranked.remove("cp1252")
            ranked.insert(0, "cp1252")
    return ranked


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    # WHATWG: a page labelled latin-1/ascii is decoded as windows-1252.
    return "cp1252" if canonical in ("latin-1", "iso8859-1", "ascii") else canonical


def _strict(body: bytes, name: str) -> str | None:
    try:
        text = body.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None
    if "\x00" in text:  # binary labelled as text
        return None
    return text
