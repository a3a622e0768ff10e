"""Fixtures for the deployment checks: rendered overlays and promtool.

Everything runs offline: kubectl (kustomize), hadolint and kubernetes-validate
come from dev-dependency wheels; promtool from the Debian ``prometheus``
package, installed on first use when missing (CI runs as root with apt).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.deploy.manifests import K8S, OVERLAYS, Manifest, kustomize


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[Manifest]]:
    """Every overlay rendered once for the whole session."""
    return {overlay: kustomize(K8S / "overlays" / overlay) for overlay in OVERLAYS}


@pytest.fixture(scope="session")
def promtool() -> str:
    """promtool on PATH, else from the Debian prometheus package."""
    found = shutil.which("promtool")
    if found:
        return found
    if not shutil.which("apt-get") or os.geteuid() != 0:
        pytest.skip("promtool is not installed and apt-get is not usable (needs root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt = ["apt-get", "-q", "-o", "DPkg::Lock::Timeout=300"]
    for command in (
        [*apt, "update"],
        [*apt, "install", "-y", "--no-install-recommends", "prometheus"],
    ):
        result = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=600, check=False
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    found = shutil.which("promtool")
    assert found, "apt-get installed prometheus but promtool is not on PATH"
    return found
