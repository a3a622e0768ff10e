"""The fetch stage's runner limit leaves room for the politeness queue, not less."""

from newsingest.app import fetch_backstop_s
from newsingest.config import FetchSettings, RunnerSettings, Settings


def test_defaults_allow_a_full_partition_queued_on_one_host() -> None:
    # 16 in flight, 2 per host: 8 turns of (10 s Crawl-delay cap + 30 s fetch) after 60 s.
    assert fetch_backstop_s(Settings()) == 60 + 8 * (10 + 30)


def test_the_backstop_grows_with_the_queue_and_the_delays() -> None:
    base = Settings(runner=RunnerSettings(processing_timeout_s=5, max_in_flight_per_partition=4))
    longer = Settings(
        runner=RunnerSettings(processing_timeout_s=5, max_in_flight_per_partition=4),
        fetch=FetchSettings(max_per_host=1, host_delay_s=20, total_timeout_s=5),
    )
    assert fetch_backstop_s(base) == 5 + 2 * (10 + 30)
    assert fetch_backstop_s(longer) == 5 + 4 * (20 + 5)
