from __future__ import annotations

import asyncio

import pytest

from newsingest.errors import FetchError
from newsingest.fetch import robots as robots_module
from newsingest.fetch.robots import MAX_BYTES, MAX_CRAWL_DELAY_S, RobotsCache
from newsingest.metrics import Metrics

AGENT = "newsingest/0.1 (+https://example.org/bot)"


class FakeRobots:
    """Answers robots.txt requests from a table: (status, body) or a FetchError."""

    def __init__(self, answers: dict[str, tuple[int, bytes] | FetchError]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def __call__(self, url: str) -> tuple[int, bytes]:
        self.asked.append(url)
        await asyncio.sleep(0)
        answer = self.answers[url]
        if isinstance(answer, FetchError):
            raise answer
        return answer


def cache(answers: dict[str, tuple[int, bytes] | FetchError]) -> tuple[RobotsCache, FakeRobots]:
    fake = FakeRobots(answers)
    return RobotsCache(fake, user_agent=AGENT, ttl_s=3600, metrics=Metrics()), fake


async def reason_of(robots: RobotsCache, url: str) -> tuple[str, bool] | None:
    try:
        await robots.check(url)
    except FetchError as exc:
        return exc.reason, exc.retriable
    return None


async def test_rules_for_our_product_token_apply_and_are_cached() -> None:
    rules = b"User-agent: *\nDisallow: /\n\nUser-agent: newsingest\nAllow: /\nDisallow: /drafts\n"
    robots, fake = cache({"https://news.test/robots.txt": (200, rules)})
    assert await reason_of(robots, "https://news.test/world/1") is None
    assert await reason_of(robots, "https://news.test/drafts/2") == ("robots_disallowed", False)
    assert fake.asked == ["https://news.test/robots.txt"]


async def test_crawl_delay_is_returned() -> None:
    robots, _ = cache({"http://slow.test/robots.txt": (200, b"User-agent: *\nCrawl-delay: 7\n")})
    assert await robots.check("http://slow.test/a") == 7.0


async def test_crawl_delay_is_capped() -> None:
    answers: dict[str, tuple[int, bytes] | FetchError] = {
        "http://glacial.test/robots.txt": (200, b"User-agent: *\nCrawl-delay: 3600\n")
    }
    robots, _ = cache(answers)
    assert await robots.check("http://glacial.test/a") == MAX_CRAWL_DELAY_S
    strict = RobotsCache(
        FakeRobots(answers), user_agent=AGENT, ttl_s=60, metrics=Metrics(), max_crawl_delay_s=2
    )
    assert await strict.check("http://glacial.test/a") == 2.0


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((404, b""), None),
        ((410, b""), None),
        ((401, b""), None),
        (FetchError("loop", reason="too_many_redirects"), None),
        (FetchError("refused", reason="blocked_address"), None),
        ((503, b""), ("robots_disallowed", True)),
        ((500, b""), ("robots_disallowed", True)),
        ((429, b""), ("robots_disallowed", True)),
        (FetchError("slow", reason="timeout", retriable=True), ("robots_disallowed", True)),
        (FetchError("down", reason="connect_error", retriable=True), ("robots_disallowed", True)),
        # a network failure not worth retrying is still "unreachable": disallow
        (FetchError("bad certificate", reason="tls_error"), ("robots_disallowed", False)),
    ],
)
async def test_rfc9309_unavailable_and_unreachable(
    answer: tuple[int, bytes] | FetchError, expected: tuple[str, bool] | None
) -> None:
    robots, _ = cache({"http://x.test/robots.txt": answer})
    assert await reason_of(robots, "http://x.test/page") == expected


async def test_concurrent_checks_share_one_fetch() -> None:
    robots, fake = cache({"http://busy.test/robots.txt": (200, b"")})
    await asyncio.gather(*(robots.check(f"http://busy.test/{i}") for i in range(20)))
    assert len(fake.asked) == 1


async def test_only_the_first_500_kib_are_parsed() -> None:
    padding = b"# " + b"x" * MAX_BYTES + b"\n"
    rules = b"User-agent: *\nDisallow: /early\n" + padding + b"Disallow: /late\n"
    robots, _ = cache({"http://big.test/robots.txt": (200, rules)})
    assert await reason_of(robots, "http://big.test/early") == ("robots_disallowed", False)
    assert await reason_of(robots, "http://big.test/late") is None


async def test_unreachable_says_when_it_is_asked_again_and_then_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(robots_module, "UNREACHABLE_TTL_S", 0.3)
    robots, fake = cache({"http://flaky.test/robots.txt": (503, b"")})
    with pytest.raises(FetchError) as caught:
        await robots.check("http://flaky.test/a")
    assert caught.value.retriable
    assert caught.value.retry_after_s is not None
    assert 0.2 < caught.value.retry_after_s <= 0.5
    assert "HTTP 503" in str(caught.value)

    fake.answers["http://flaky.test/robots.txt"] = (200, b"User-agent: *\nAllow: /\n")
    with pytest.raises(FetchError):  # before the hint: the refusal is cached
        await robots.check("http://flaky.test/a")
    await asyncio.sleep(caught.value.retry_after_s)
    assert await reason_of(robots, "http://flaky.test/a") is None  # a retry then gets in
    assert len(fake.asked) == 2
