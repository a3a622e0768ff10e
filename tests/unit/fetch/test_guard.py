from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import pytest

from newsingest.errors import FetchError
from newsingest.fetch.guard import AddressPolicy, CachingResolver, is_public, parse_legacy_ipv4


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "198.18.0.1",
        "192.0.0.8", "::", "::1", "fc00::1", "fd00::1", "fe80::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1",
        "2002:a9fe:a9fe::", "2002:7f00:1::1", "2001:0:4136:e378:8000:63bf:5601:5601",
        "::7f00:1", "2001:db8::1",
    ],
)  # fmt: skip
def test_non_public_addresses(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:93.184.215.14", "2002:5db8:d70e::"],
)
def test_public_addresses(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("169.254.43518", "169.254.169.254"),
        ("10.1", "10.0.0.1"),
    ],
)
def test_legacy_numeric_hosts(host: str, address: str) -> None:
    assert parse_legacy_ipv4(host) == ipaddress.IPv4Address(address)


@pytest.mark.parametrize("host", ["example.com", "1.example.com", "example.123a"])
def test_names_are_not_numeric(host: str) -> None:
    assert parse_legacy_ipv4(host) is None


@pytest.mark.parametrize("host", ["1.2.3.4.5", "256.1.1.1", "09.1.1.1", "1.2.3.256"])
def test_malformed_numeric_hosts(host: str) -> None:
    with pytest.raises(FetchError) as caught:
        parse_legacy_ipv4(host)
    assert caught.value.reason == "invalid_url"


class Names:
    def __init__(self, table: dict[str, Sequence[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        self.asked.append(host)
        return self.table[host]


async def test_every_address_of_an_answer_is_checked() -> None:
    names = Names({"good.test": ["93.184.215.14"], "mixed.test": ["93.184.215.14", "10.0.0.1"]})
    policy = AddressPolicy()
    target = await policy.check("https://good.test/a?b=1", names)
    assert (target.host, target.port, target.addresses) == ("good.test", 443, ("93.184.215.14",))
    with pytest.raises(FetchError) as caught:
        await policy.check("http://mixed.test/", names)
    assert caught.value.reason == "blocked_address"


async def test_allow_entries_are_cidrs_or_host_ports() -> None:
    names = Names({"sample.test": ["127.0.0.1"]})
    policy = AddressPolicy(allow=["10.9.0.0/16", "127.0.0.1:8081", "sample.test:9000"])
    assert (await policy.check("http://10.9.1.1:5/", names)).addresses == ("10.9.1.1",)
    assert (await policy.check("http://127.0.0.1:8081/", names)).addresses == ("127.0.0.1",)
    assert (await policy.check("http://sample.test:9000/", names)).addresses == ("127.0.0.1",)
    for url in ("http://127.0.0.1:8082/", "http://sample.test:9001/", "http://10.8.0.1/"):
        with pytest.raises(FetchError, match="blocked"):
            await policy.check(url, names)


def test_a_bad_allow_entry_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="neither"):
        AddressPolicy(allow=["not an entry"])


async def test_the_guard_can_be_switched_off_for_trusted_networks() -> None:
    target = await AddressPolicy(enabled=False).check("http://10.0.0.1/", Names({}))
    assert target.addresses == ("10.0.0.1",)


async def test_answers_are_cached_for_a_while() -> None:
    names = Names({"busy.test": ["93.184.215.14"]})
    resolve = CachingResolver(names, ttl_s=60)
    assert await resolve("busy.test", 443) == ["93.184.215.14"]
    assert await resolve("busy.test", 443) == ["93.184.215.14"]
    assert names.asked == ["busy.test"]
    expired = CachingResolver(names, ttl_s=0)
    await expired("busy.test", 443)
    await expired("busy.test", 443)
    assert names.asked == ["busy.test"] * 3
