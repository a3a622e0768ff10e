"""Fixtures for the deployment checks: rendered overlays and promtool.

Everything runs offline: kubectl (kustomize), hadolint and kubernetes-validate
come from dev-dependency wheels; promtool from the Debian ``prometheus``
package, installed on first use when missing (CI runs as root with apt).
"""

from __future__ import annotations

import pytest

from tests.deploy.manifests import K8S, OVERLAYS, Manifest, kustomize
from tests.prometheus_package import debian_prometheus


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[Manifest]]:
    """Every overlay rendered once for the whole session."""
    return {overlay: kustomize(K8S / "overlays" / overlay) for overlay in OVERLAYS}


@pytest.fixture(scope="session")
def promtool() -> str:
    return debian_prometheus("promtool")
