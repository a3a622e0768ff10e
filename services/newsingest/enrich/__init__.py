"""The enrich stage: extraction, cleaning and tagging in a process pool."""

from newsingest.enrich.pool import WorkerPool
from newsingest.enrich.stage import Enricher
from newsingest.enrich.work import build_article, warm_up

__all__ = ["Enricher", "WorkerPool", "build_article", "warm_up"]
