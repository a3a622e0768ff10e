"""TLS through the pinned transport: the connection goes to the checked
address while SNI and certificate verification use the URL's host name."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from newsingest.errors import FetchError
from newsingest.fetch import Fetcher, GuardedClient
from newsingest.metrics import Metrics
from newsingest.urls import url_record
from tests.integration.fetch.conftest import LoopbackOnly, fetch_settings
from tests.integration.fetch.origin import Origin, respond


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for news.test, made with the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=news.test", "-addext", "subjectAltName=DNS:news.test",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


async def test_sni_and_verification_use_the_host_name(
    certificate: tuple[Path, Path], origin_factory: Callable[..., Origin], net: LoopbackOnly
) -> None:
    cert, key = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    origin = origin_factory(
        {"*": respond(200, b"<p>secure</p>", {"Content-Type": "text/html"})}, tls=server_tls
    )
    net.names.update({"news.test": ["127.0.0.1"], "wrong.test": ["127.0.0.1"]})
    client_tls = ssl.create_default_context(cafile=str(cert))
    settings = fetch_settings(origin.authority, robots=False)
    client = GuardedClient(
        settings, Metrics(), resolver=net.resolve, connect=net.connect, ssl_context=client_tls
    )
    async with client, Fetcher(settings, Metrics(), client=client) as fetcher:
        page = await fetcher(url_record(f"https://news.test:{origin.port}/a", "cli"))
        assert page.body == "<p>secure</p>"
        with pytest.raises(FetchError) as caught:
            await fetcher(url_record(f"https://wrong.test:{origin.port}/a", "cli"))
    assert caught.value.reason == "tls_error"
    assert net.dialled == [("127.0.0.1", origin.port)] * 2
