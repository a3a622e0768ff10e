"""Prometheus and promtool from the Debian ``prometheus`` package, installed on first
use when missing (CI runs as root with apt)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def debian_prometheus(binary: str) -> str:
    """The path of ``binary`` (prometheus or promtool), installing the package if needed."""
    found = shutil.which(binary)
    if found:
        return found
    if not shutil.which("apt-get") or os.geteuid() != 0:
        pytest.skip(f"{binary} is not installed and apt-get is not usable (needs root)")
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
    found = shutil.which(binary)
    assert found, f"apt-get installed prometheus but {binary} is not on PATH"
    return found
