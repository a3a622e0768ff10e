"""The fetch stage: polite, bounded, SSRF-guarded HTTP (see ``client.py``)."""

from newsingest.fetch.client import PAGE_TYPES, GuardedClient, Response
from newsingest.fetch.fetcher import Fetcher
from newsingest.fetch.guard import AddressPolicy, Resolver, is_public, system_resolve
from newsingest.fetch.transport import Connect

__all__ = [
    "PAGE_TYPES",
    "AddressPolicy",
    "Connect",
    "Fetcher",
    "GuardedClient",
    "Resolver",
    "Response",
    "is_public",
    "system_resolve",
]
