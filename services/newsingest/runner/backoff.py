"""How long a failed record waits before its retry.

Exponential in the attempts already made, jittered so that records which
failed together (one host down, one broker blip) do not come back together,
and bounded. A failure may know when a retry can first succeed (robots.txt
re-checked, a Retry-After): the wait is then at least that, within the cap.
"""

from __future__ import annotations

import random

from newsingest.config import RunnerSettings

# 2**60 seconds is beyond any cap; stop the exponent there so floats never overflow.
_MAX_DOUBLINGS = 60
_RNG = random.Random()


def retry_delay(
    attempts: int,
    settings: RunnerSettings,
    *,
    hint_s: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before retrying a record that failed on attempt ``attempts`` (1-based)."""
    doublings = min(max(attempts - 1, 0), _MAX_DOUBLINGS)
    exponential = min(settings.retry_backoff_s * 2.0**doublings, settings.retry_backoff_max_s)
    jittered = exponential * (rng or _RNG).uniform(0.5, 1.0)
    return min(max(jittered, hint_s or 0.0), settings.retry_backoff_max_s)
