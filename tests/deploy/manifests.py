"""Paths, tools and helpers for reading rendered manifests."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from newsingest.config import Settings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
DEPLOY = ROOT / "deploy"
OVERLAYS = ("dev", "prod", "prod-keda")
STAGES = ("discover", "fetch", "enrich", "incidents")
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


def settings_env_names() -> set[str]:
    """Every NEWSINGEST_* variable the Settings model reads."""
    names = set()
    for field, info in Settings.model_fields.items():
        group = info.annotation
        if isinstance(group, type) and issubclass(group, BaseModel):
            names |= {f"NEWSINGEST_{field}_{sub}".upper() for sub in group.model_fields}
        else:
            names.add(f"NEWSINGEST_{field}".upper())
    return names


_MEMORY_UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 10**3, "M": 10**6, "G": 10**9}


def cpu_cores(quantity: str | int | float) -> float:
    text = str(quantity)
    return int(text[:-1]) / 1000 if text.endswith("m") else float(text)


def memory_bytes(quantity: str | int) -> int:
    match = re.fullmatch(r"(\d+)([KMG]i?|k)?", str(quantity))
    assert match, quantity
    return int(match.group(1)) * _MEMORY_UNITS.get(match.group(2) or "", 1)
