from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator, Iterable

import httpx
import pytest

from newsingest.errors import FetchError
from newsingest.fetch.body import read_capped


def response(chunks: Iterable[bytes], **headers: str) -> httpx.Response:
    async def stream() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    named = {k.replace("_", "-"): v for k, v in headers.items()}
    return httpx.Response(200, headers=named, content=stream())


def bomb(megabytes: int) -> Iterable[bytes]:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    for _ in range(megabytes):
        yield packer.compress(zeros)
    yield packer.flush()


async def test_plain_and_gzip_and_deflate_bodies() -> None:
    text = b"<p>hello</p>" * 100
    assert await read_capped(response([text]), 10_000) == text
    assert (
        await read_capped(response([gzip.compress(text)], content_encoding="gzip"), 10_000) == text
    )
    raw_deflate = zlib.compressobj(wbits=-15)
    deflated = raw_deflate.compress(text) + raw_deflate.flush()
    for body in (zlib.compress(text), deflated):
        assert await read_capped(response([body], content_encoding="deflate"), 10_000) == text


async def test_a_gzip_bomb_stops_at_the_cap() -> None:
    with pytest.raises(FetchError) as caught:
        await read_capped(response(bomb(1024), content_encoding="gzip"), 1_000_000)
    assert caught.value.reason == "too_large"


async def test_truncate_keeps_the_first_bytes() -> None:
    body = await read_capped(response(bomb(8), content_encoding="gzip"), 5000, truncate=True)
    assert body == bytes(5000)


async def test_declared_length_over_the_cap_fails_before_reading() -> None:
    def never() -> Iterable[bytes]:
        raise AssertionError("the body was read")
        yield b""

    with pytest.raises(FetchError) as caught:
        await read_capped(response(never(), content_length="20000"), 10_000)
    assert caught.value.reason == "too_large"


@pytest.mark.parametrize("encoding", ["gzip, gzip", "gzip, deflate", "br", "zstd", "compress"])
async def test_stacked_or_unknown_encodings_are_refused(encoding: str) -> None:
    with pytest.raises(FetchError) as caught:
        await read_capped(response([b"x"], content_encoding=encoding), 10_000)
    assert caught.value.reason == "decode_error"


async def test_corrupt_gzip_is_a_decode_error() -> None:
    with pytest.raises(FetchError) as caught:
        await read_capped(response([b"\x1f\x8b\x08\x00garbage"], content_encoding="gzip"), 10_000)
    assert caught.value.reason == "decode_error"
