"""JSON logs are JSON throughout: structlog's lines and the standard library's
(aiokafka), with the runner's context keys and with credentials redacted.

Logging is configured in a child process: its configuration is process-wide.
"""

import subprocess
import sys

import orjson

SCRIPT = """
import logging
import structlog
from newsingest.logs import configure_logging

configure_logging("info", "json")
where = {"stage": "fetch", "topic": "news.urls", "partition": 2, "offset": 41}
with structlog.contextvars.bound_contextvars(**where):
    structlog.get_logger("newsingest.runner").warning(
        "record dead-lettered", url="https://user:hunter2@example.com/a?token=abc"
    )
    logging.getLogger("aiokafka.consumer.group_coordinator").warning(
        "Heartbeat failed for group %s", "newsingest.fetch"
    )
try:
    raise ValueError("https://u:pw@x.test/")
except ValueError:
    logging.getLogger("aiokafka").exception("fetch error")
logging.getLogger("aiokafka").info("below warning: not shown")
"""


def _lines() -> list[dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True
    )
    return [orjson.loads(line) for line in done.stderr.splitlines() if line.strip()]


def test_every_line_is_json_with_the_same_keys_and_no_credentials() -> None:
    ours, heartbeat, failure = _lines()  # parsing each line is the JSON check
    where = {"stage": "fetch", "topic": "news.urls", "partition": 2, "offset": 41}
    assert ours["event"] == "record dead-lettered"
    assert {k: ours[k] for k in where} == where
    assert ours["url"] == "https://***@example.com/a?token=***"

    assert heartbeat["event"] == "Heartbeat failed for group newsingest.fetch"
    assert heartbeat["logger"] == "aiokafka.consumer.group_coordinator"
    assert heartbeat["level"] == "warning"
    assert "timestamp" in heartbeat
    assert {k: heartbeat[k] for k in where} == where  # bound context reaches library lines

    assert failure["level"] == "error"
    assert "ValueError" in str(failure["exception"])
    assert "pw@" not in str(failure["exception"])
