"""Structured logs: JSON lines in production, readable lines on a terminal.

Every line uses the same keys where they apply: stage, topic, partition,
offset, url_id, article_id, reason. The runner binds the first four around
each record (structlog contextvars), the stage handlers the ids. Lines from
libraries that log through the standard library (aiokafka) go through the
same renderer, so a JSON log is JSON throughout. Credentials in URLs and
secret query values are redacted in every line, whoever wrote it.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from newsingest.redact import redact


def redact_secrets(logger: WrappedLogger, method: str, event: EventDict) -> EventDict:
    """Every string value of the line with URL credentials and secret values hidden."""
    return {k: redact(v) if isinstance(v, str) else v for k, v in event.items()}


def configure_logging(
    level: str = "info", fmt: Literal["auto", "json", "console"] = "auto"
) -> None:
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared: list[Processor] = [
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            *shared,
            structlog.processors.format_exc_info,
            redact_secrets,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    # aiokafka logs through the standard library: same renderer, its noise kept at warning.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.contextvars.merge_contextvars,
                structlog.stdlib.add_logger_name,
                *shared,
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redact_secrets,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.WARNING)
