"""Paths, tools and helpers for reading rendered manifests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
DEPLOY = ROOT / "deploy"
OVERLAYS = ("dev", "prod", "prod-keda")
BIN = Path(sys.executable).parent

Manifest = dict[str, Any]


def tool(name: str) -> str:
    """A tool installed next to the interpreter (a dev-dependency wheel)."""
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is missing from {BIN}: run `make venv` (uv sync)")
    return str(path)


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def kustomize(path: Path) -> list[Manifest]:
    result = run(tool("kubectl"), "kustomize", str(path))
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def workloads(manifests: list[Manifest]) -> list[Manifest]:
    return [m for m in manifests if m["kind"] in {"Deployment", "StatefulSet", "DaemonSet"}]


def containers(workload: Manifest) -> list[Manifest]:
    pod = workload["spec"]["template"]["spec"]
    return [*pod.get("initContainers", []), *pod["containers"]]


def by_kind(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [m for m in manifests if m["kind"] == kind]


def named(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    matches = [m for m in by_kind(manifests, kind) if m["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} found"
    return matches[0]
