import random

from newsingest.config import RunnerSettings
from newsingest.runner.backoff import retry_delay

SETTINGS = RunnerSettings(retry_backoff_s=2.0, retry_backoff_max_s=60.0)


def test_doubles_per_attempt_within_the_jitter_band() -> None:
    rng = random.Random(7)
    for attempts, full in [(1, 2.0), (2, 4.0), (3, 8.0), (4, 16.0), (5, 32.0)]:
        delays = [retry_delay(attempts, SETTINGS, rng=rng) for _ in range(200)]
        assert min(delays) >= full * 0.5
        assert max(delays) <= full
        assert max(delays) - min(delays) > full * 0.3  # jittered, not one fixed value


def test_bounded_by_the_cap_however_many_attempts() -> None:
    for attempts in (6, 7, 50, 10_000):
        assert 30.0 <= retry_delay(attempts, SETTINGS) <= 60.0


def test_a_failure_hint_is_waited_out_within_the_cap() -> None:
    rng = random.Random(1)
    assert retry_delay(1, SETTINGS, hint_s=30.1, rng=rng) == 30.1  # robots.txt re-check
    assert retry_delay(3, SETTINGS, hint_s=0.5, rng=rng) >= 4.0  # a short hint changes nothing
    assert retry_delay(1, SETTINGS, hint_s=3600.0, rng=rng) == 60.0


def test_no_backoff_when_configured_off() -> None:
    off = RunnerSettings(retry_backoff_s=0.0)
    assert retry_delay(3, off) == 0.0
