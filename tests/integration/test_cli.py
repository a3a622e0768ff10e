"""The `newsingest` command as users run it: a real process, real files, real servers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import SettingsFactory
from tests.integration.origin import SEEDS, Origin, seed_pages

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

NEWSINGEST = str(Path(sys.executable).with_name("newsingest"))


def _env(extra: Mapping[str, str] = {}) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSINGEST_")}
    env.update({"NEWSINGEST_LOG_FORMAT": "json", "NEWSINGEST_ENRICH_WORKERS": "1", **extra})
    return env


async def _newsingest(
    *args: str, stdin: bytes | None = None, env: Mapping[str, str] = {}
) -> tuple[int, bytes]:
    process = await asyncio.create_subprocess_exec(
        NEWSINGEST,
        *args,
        env=_env(env),
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    out, _ = await process.communicate(stdin)
    assert process.returncode is not None
    return process.returncode, out


def _lines(out: bytes) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in out.splitlines() if line.strip()]


async def test_enrich_on_the_seeds_strips_dirt_and_tags_strikes() -> None:
    code, out = await _newsingest("enrich", *map(str, SEEDS))
    assert code == 0
    by_name = {Path(r["url"]).name[:3]: r for r in _lines(out)}
    assert sorted(by_name) == ["000", "001", "002", "003", "004"]
    assert "Comments are no longer available" not in by_name["002"]["text"]
    assert "Sarmad Salim for The Washington Post" not in by_name["002"]["text"]
    assert not by_name["001"]["text"].rstrip().endswith("In Nairobi")
    assert "Kevin Kangethe" not in by_name["001"]["text"]
    assert by_name["004"]["published_at"].startswith("2021-02-26")
    assert not by_name["004"]["text"].lstrip().startswith("date")
    for seed in ("000", "001"):
        tags = by_name[seed]["tags"]
        assert tags["strike"]["is_strike"] is True
        assert "kataib_hezbollah" in {m["id"] for m in tags["militias"]}
    for record in by_name.values():
        for span in record["tags"]["strike"]["evidence"]:
            assert record["text"][span["start"] : span["end"]] == span["text"]


async def test_enrich_jsonl_answers_each_line_in_order() -> None:
    items = [
        {"content_type": "text/plain", "body": SEEDS[n].read_text(), "url": f"https://x.test/{n}"}
        for n in (3, 0, 4)
    ]
    items.insert(1, {"content_type": "application/pdf", "body": "x"})  # a bad line
    stdin = b"".join(orjson.dumps(i) + b"\n" for i in items)
    code, out = await _newsingest("enrich", "--jsonl", stdin=stdin)
    lines = _lines(out)
    assert code == 1  # one input failed
    assert [line.get("url") for line in lines] == [
        "https://x.test/3",
        None,
        "https://x.test/0",
        "https://x.test/4",
    ]
    assert lines[1]["reason"] == "invalid_input"


async def test_fetch_prints_the_page_or_the_reason() -> None:
    pages = seed_pages()
    async with Origin(pages) as origin:
        allow = {"NEWSINGEST_FETCH_ALLOW": origin.allow, "NEWSINGEST_FETCH_RETRIES": "0"}
        path = next(iter(pages))
        code, out = await _newsingest("fetch", origin.url(path), env=allow)
        assert code == 0
        (page,) = _lines(out)
        assert page["status"] == 200
        assert "body" not in page  # omitted without --body, not printed empty
        assert page["schema"] == "newsingest.page/1"
        code, out = await _newsingest("fetch", "--body", origin.url(path), env=allow)
        assert _lines(out)[0]["body"] == pages[path].body.decode()
        code, out = await _newsingest("fetch", origin.url("/nope"), env=allow)
        assert code == 1
        assert _lines(out)[0]["reason"] == "http_4xx"
    code, out = await _newsingest("fetch", "http://169.254.169.254/latest/meta-data/")
    assert code == 1
    assert _lines(out)[0]["reason"] == "blocked_address"


async def test_submit_then_tail(make_settings: SettingsFactory) -> None:
    settings = make_settings()
    env = {
        "NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers or "",
        "NEWSINGEST_KAFKA_IDEMPOTENCE": str(settings.kafka.idempotence).lower(),
        "NEWSINGEST_TOPICS_URLS": settings.topics.urls,
    }
    urls = ["https://Example.com/a?utm_source=feed", "https://news.test/b#top"]
    code, out = await _newsingest("submit", *urls, env=env)
    assert code == 0
    assert [r["url"] for r in _lines(out)] == ["https://example.com/a", "https://news.test/b"]
    code, out = await _newsingest(
        "tail", settings.topics.urls, "--from-beginning", "--count", "2", "--timeout", "20", env=env
    )
    assert code == 0
    records = _lines(out)
    assert sorted(r["url"] for r in records) == ["https://example.com/a", "https://news.test/b"]
    assert {r["source"] for r in records} == {"cli"}
    code, _ = await _newsingest("submit", "not a url", env=env)
    assert code == 2


async def test_broker_command_serves_and_stops_on_sigterm() -> None:
    from newsingest.broker import free_port

    port = free_port()
    process = await asyncio.create_subprocess_exec(
        NEWSINGEST, "broker", "--port", str(port), env=_env(), stdout=subprocess.PIPE
    )
    assert process.stdout is not None
    first = await asyncio.wait_for(process.stdout.readline(), 20)
    assert f"127.0.0.1:{port}".encode() in first
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()
    await writer.wait_closed()
    process.terminate()
    assert await asyncio.wait_for(process.wait(), 20) == 0
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)


async def test_incidents_help_is_the_commands_own() -> None:
    code, out = await _newsingest("incidents", "--help")
    assert code == 0
    assert out.startswith(b"usage: newsingest incidents")
    assert b"--all-versions" in out
    assert b"--by-time" in out


async def test_run_with_samples_prints_a_line_per_sample_then_stops_on_sigterm(
    make_settings: SettingsFactory,
) -> None:
    """`make run`, the README's first command, on the test's broker and topics."""
    from newsingest.samples import SAMPLES_DIR, sample_files
    from tests.integration.process import service_env

    samples = sample_files(SAMPLES_DIR)
    # The seeds are strike reports; of the HTML samples, the file name says which is one.
    strikes = sum(1 for p in samples if p.parent.name == "seeds" or p.name.startswith("strike"))
    env = service_env(make_settings(), NEWSINGEST_ENRICH_WORKERS="1")
    process = await asyncio.create_subprocess_exec(
        NEWSINGEST, "run", "--with-samples", env=env, stdout=subprocess.PIPE
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(90):
            first = (await process.stdout.readline()).decode()
            lines = [(await process.stdout.readline()).decode() for _ in samples]
    finally:
        process.terminate()
    assert first.startswith(f"submitted {len(samples)} sample articles")
    fields = [line.rstrip("\n").split(" | ") for line in lines]
    assert all(len(f) == 4 and f[2].startswith("militias: ") for f in fields), lines
    assert sum(f[1] == "strike" for f in fields) == strikes
    assert sum(f[1] == "no strike" for f in fields) == len(samples) - strikes
    assert all(f[2] != "militias: -" for f in fields if f[1] == "strike")
    assert await asyncio.wait_for(process.wait(), 30) == 0


async def test_run_with_samples_refuses_a_directory_without_samples(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("not a sample")
    process = await asyncio.create_subprocess_exec(
        NEWSINGEST,
        "run",
        "--with-samples",
        str(tmp_path),
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert process.returncode == 2
    assert f"no sample articles (.txt, .html) under {tmp_path}" in err.decode()
