"""The SSRF guard: which URLs may be fetched and which addresses may be reached.

A URL is checked before every hop: scheme, credentials, numeric host tricks,
then the host is resolved once and *every* address must be public. The checked
addresses are what the transport connects to (see ``transport.py``), so a
second DNS answer (rebinding) can never be used. ``allow`` entries (CIDRs or
``host:port``) are the only exceptions; tests and the sample server use them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

import httpx

from newsingest.errors import FetchError
from newsingest.redact import redact

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""``await resolver(host, port)`` -> the host's addresses as strings, in preference order."""

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# Not globally reachable, though some Python versions call parts of them global.
_ALSO_BLOCKED = tuple(
    ipaddress.ip_network(net)
    for net in ("0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "240.0.0.0/4")
)
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


async def system_resolve(host: str, port: int) -> list[str]:
    """The operating system's answer (getaddrinfo in a thread), duplicates removed."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        transient = exc.errno in (socket.EAI_AGAIN, getattr(socket, "EAI_SYSTEM", -11))
        raise FetchError(
            f"cannot resolve {host!r}: {exc.strerror}", reason="connect_error", retriable=transient
        ) from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class CachingResolver:
    """Keeps answers for ``ttl_s`` so a busy host is not looked up for every request.

    getaddrinfo gives no TTL, so a short fixed one is used. Cached answers are
    checked by the policy on every hop like fresh ones.
    """

    def __init__(self, resolver: Resolver, *, ttl_s: float = 60.0, max_entries: int = 10_000):
        self._resolver = resolver
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._answers: dict[tuple[str, int], tuple[float, Sequence[str]]] = {}

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        now = time.monotonic()
        cached = self._answers.get((host, port))
        if cached is not None and cached[0] > now:
            return cached[1]
        answer = await self._resolver(host, port)
        if len(self._answers) >= self._max_entries:
            self._answers.pop(next(iter(self._answers)))
        self._answers[(host, port)] = (now + self._ttl_s, answer)
        return answer


def is_public(address: IPAddress) -> bool:
    """True when ``address`` is globally routable unicast, looking inside IPv6 wrappers."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public(embedded)
    if any(address in net for net in _ALSO_BLOCKED):
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
        or address.is_private
    )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64, compatible)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in net for net in _NAT64) or (
        address in _IPV4_COMPATIBLE and int(address) > 1  # not :: or ::1
    ):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def parse_legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The address a numeric host means to inet_aton / browsers, or None if not numeric.

    ``2130706433``, ``0x7f.1``, ``127.1`` and ``0177.0.0.1`` all mean 127.0.0.1;
    resolvers accept them, so the guard must see through them. Raises
    FetchError(invalid_url) for a numeric-looking host that is not a valid one.
    """
    labels = host.rstrip(".").split(".")
    if not labels or not _is_number(labels[-1]):
        return None
    if len(labels) > 4 or not all(_is_number(label) for label in labels):
        raise FetchError(f"malformed numeric host {host!r}", reason="invalid_url")
    numbers = [_number(label) for label in labels]
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise FetchError(f"numeric host out of range {host!r}", reason="invalid_url")
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _is_number(label: str) -> bool:
    lowered = label.lower()
    if lowered.startswith("0x"):
        return all(c in "0123456789abcdef" for c in lowered[2:])
    return lowered.isascii() and lowered.isdigit()


def _number(label: str) -> int:
    lowered = label.lower()
    if lowered.startswith("0x"):
        return int(lowered[2:] or "0", 16)
    if len(lowered) > 1 and lowered.startswith("0"):
        return int(lowered, 8) if all(c in "01234567" for c in lowered) else _bad(label)
    return int(lowered)


def _bad(label: str) -> int:
    raise FetchError(f"malformed numeric host label {label!r}", reason="invalid_url")


@dataclass(frozen=True, slots=True)
class Target:
    """A checked hop: where to connect (``addresses``) and what to call it (``host``)."""

    url: httpx.URL
    host: str  # ASCII (IDNA) host name or address literal, as sent in Host and SNI
    port: int
    addresses: tuple[str, ...]


class AddressPolicy:
    """Decides whether a URL and the addresses it resolves to may be reached."""

    def __init__(self, *, enabled: bool = True, allow: Iterable[str] = ()) -> None:
        self.enabled = enabled
        self._networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        self._host_ports: set[tuple[str, int]] = set()
        for entry in allow:
            self._add_exception(entry.strip())

    def _add_exception(self, entry: str) -> None:
        try:
            self._networks.append(ipaddress.ip_network(entry, strict=False))
            return
        except ValueError:
            pass
        host, sep, port = entry.rpartition(":")
        if not sep or not port.isdigit() or not host:
            raise ValueError(f"fetch.allow entry {entry!r} is neither a CIDR nor host:port")
        self._host_ports.add((host.strip("[]").lower(), int(port)))

    def allows(self, address: IPAddress, *, host: str, port: int) -> bool:
        """May a connection to ``address`` (for ``host:port``) be opened?"""
        if not self.enabled or is_public(address):
            return True
        if any(address in net for net in self._networks):
            return True
        return (host.lower(), port) in self._host_ports or (str(address), port) in self._host_ports

    async def check(self, url: str, resolver: Resolver) -> Target:
        """Check one hop; resolve its host once; raise FetchError when it may not be fetched."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError) as exc:
            raise FetchError(f"unparseable URL: {exc}", reason="invalid_url") from None
        if parsed.scheme not in ("http", "https"):
            raise FetchError(
                f"scheme {parsed.scheme!r} is not fetched: {redact(url)}", reason="blocked_scheme"
            )
        host = parsed.raw_host.decode("ascii").lower()
        if not host:
            raise FetchError(f"no host in {redact(url)}", reason="invalid_url")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        literal = _address_literal(host)
        checked: tuple[str, ...] = ()
        if literal is not None:
            checked = (_checked(str(literal), self, host, port, url),)
        if parsed.userinfo:
            raise FetchError(
                f"credentials in URL are not sent: {redact(url)}", reason="invalid_url"
            )
        if literal is None:
            addresses = await resolver(host, port)
            if not addresses:
                raise FetchError(f"{host!r} has no address", reason="connect_error", retriable=True)
            checked = tuple(_checked(a, self, host, port, url) for a in addresses)
        return Target(url=parsed, host=host, port=port, addresses=checked)


def _address_literal(host: str) -> IPAddress | None:
    if host.startswith("["):
        try:
            return ipaddress.IPv6Address(host.strip("[]").split("%")[0])
        except ValueError:
            raise FetchError(f"malformed IPv6 host {host!r}", reason="invalid_url") from None
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return parse_legacy_ipv4(host)


def _checked(address: str, policy: AddressPolicy, host: str, port: int, url: str) -> str:
    try:
        parsed = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        raise FetchError(
            f"resolver gave a non-address {address!r}", reason="connect_error"
        ) from None
    if not policy.allows(parsed, host=host, port=port):
        raise FetchError(
            f"{redact(url)} resolves to a blocked address {parsed}", reason="blocked_address"
        )
    return str(parsed)
