"""newsingest: a streaming news-ingest service built on Kafka."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsingest")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
