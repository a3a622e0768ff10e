from __future__ import annotations

import pytest

from newsingest.errors import FetchError
from newsingest.fetch.charset import decode_body

FRENCH = (
    "Le café était déjà plein quand les élèves sont arrivés. Ils ont commandé des crêpes, "
    "du thé et des gâteaux. Près du théâtre, la façade rénovée brillait."
)
RUSSIAN = "Привет мир, как дела? Это тест на определение кодировки, и текст достаточно длинный."


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"\xef\xbb\xbfcaf\xc3\xa9", "text/plain; charset=latin-1", ("café", "utf-8")),
        ("café".encode("utf-16"), "text/plain", ("café", "utf-16-le")),
        ("café".encode("cp1252"), "text/html; charset=windows-1252", ("café", "cp1252")),
        ("café".encode("cp1252"), "text/html; charset=ISO-8859-1", ("café", "cp1252")),
        (b'<meta charset="koi8-r"><p>' + "мир".encode("koi8-r"), "text/html",
         ('<meta charset="koi8-r"><p>мир', "koi8-r")),
        (b"<meta http-equiv=Content-Type content='text/html; charset=cp1251'>\xec\xe8\xf0",
         "text/html", ("<meta http-equiv=Content-Type content='text/html; charset=cp1251'>мир",
                       "cp1251")),
        ("naïve".encode(), "text/html; charset=x-unknown", ("naïve", "utf-8")),
        (b"", "text/html", ("", "utf-8")),
    ],
)  # fmt: skip
def test_declared_charsets(body: bytes, content_type: str, expected: tuple[str, str]) -> None:
    assert decode_body(body, content_type) == expected


def test_a_mislabelled_page_is_detected() -> None:
    assert decode_body(FRENCH.encode("cp1252"), "text/html; charset=utf-8") == (FRENCH, "cp1252")
    assert decode_body(RUSSIAN.encode("cp1251"), "text/plain") == (RUSSIAN, "cp1251")


def test_binary_labelled_as_text_is_a_decode_error() -> None:
    with pytest.raises(FetchError) as caught:
        decode_body(bytes(range(256)) * 4, "text/html")
    assert caught.value.reason == "decode_error"


def test_a_bom_that_lies_is_a_decode_error() -> None:
    with pytest.raises(FetchError) as caught:
        decode_body(b"\xef\xbb\xbf\xff\xfe\xfa", "text/plain")
    assert caught.value.reason == "decode_error"
