"""The stage runner: consume → process → produce, commits, retries, DLQ, drain."""

from newsingest.runner.message import ATTEMPTS_HEADER, Handler, Message
from newsingest.runner.offsets import PartitionOffsets
from newsingest.runner.runner import StageRunner

__all__ = ["ATTEMPTS_HEADER", "Handler", "Message", "PartitionOffsets", "StageRunner"]
