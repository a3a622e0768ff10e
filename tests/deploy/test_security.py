"""Hardening, probes and resources hold on every container of every workload.

`violations()` lists what a workload gets wrong; the rendered overlays must
have none, and a weakened copy must be caught.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.deploy.manifests import (
    OVERLAYS,
    Manifest,
    by_kind,
    containers,
    cpu_cores,
    memory_bytes,
    named,
    workloads,
)


def _probe_budget_s(probe: dict[str, Any]) -> int:
    return int(probe.get("periodSeconds", 10)) * int(probe.get("failureThreshold", 3))


def _container_violations(container: dict[str, Any], pod: dict[str, Any]) -> list[str]:
    found = []
    name = container["name"]
    context = container.get("securityContext", {})
    pod_context = pod.get("securityContext", {})
    if not context.get("runAsNonRoot", pod_context.get("runAsNonRoot")):
        found.append(f"{name}: runAsNonRoot")
    if context.get("runAsUser", pod_context.get("runAsUser")) in (None, 0):
        found.append(f"{name}: runAsUser unset or root")
    if context.get("readOnlyRootFilesystem") is not True:
        found.append(f"{name}: readOnlyRootFilesystem")
    if context.get("allowPrivilegeEscalation") is not False:
        found.append(f"{name}: allowPrivilegeEscalation")
    if context.get("privileged"):
        found.append(f"{name}: privileged")
    capabilities = context.get("capabilities", {})
    if capabilities.get("drop") != ["ALL"] or capabilities.get("add"):
        found.append(f"{name}: capabilities must drop ALL and add none")
    seccomp = context.get("seccompProfile", pod_context.get("seccompProfile", {}))
    if seccomp.get("type") != "RuntimeDefault":
        found.append(f"{name}: seccomp RuntimeDefault")

    empty_dirs = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
    tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
    if not tmp or tmp[0]["name"] not in empty_dirs:
        found.append(f"{name}: /tmp must be an emptyDir")

    liveness = container.get("livenessProbe", {}).get("httpGet", {})
    readiness = container.get("readinessProbe", {}).get("httpGet", {})
    if liveness.get("path") != "/healthz":
        found.append(f"{name}: liveness probe on /healthz")
    if readiness.get("path") != "/readyz":
        found.append(f"{name}: readiness probe on /readyz")
    if liveness and readiness:
        live_s = _probe_budget_s(container["livenessProbe"])
        ready_s = _probe_budget_s(container["readinessProbe"])
        if live_s <= ready_s:
            found.append(f"{name}: liveness must tolerate longer than readiness")

    resources = container.get("resources", {})
    requests, limits = resources.get("requests", {}), resources.get("limits", {})
    for key in ("cpu", "memory"):
        if key not in requests or key not in limits:
            found.append(f"{name}: requests and limits for {key}")
    if {"cpu", "memory"} <= requests.keys() & limits.keys():
        if cpu_cores(requests["cpu"]) > cpu_cores(limits["cpu"]):
            found.append(f"{name}: cpu request above limit")
        if memory_bytes(requests["memory"]) > memory_bytes(limits["memory"]):
            found.append(f"{name}: memory request above limit")

    image = container.get("image", "")
    if ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest"):
        found.append(f"{name}: image needs a pinned tag")
    return found


def violations(workload: Manifest) -> list[str]:
    pod = workload["spec"]["template"]["spec"]
    found = []
    if pod.get("automountServiceAccountToken") is not False:
        found.append("pod: automountServiceAccountToken must be false")
    for host in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(host):
            found.append(f"pod: {host}")
    if pod.get("securityContext", {}).get("seccompProfile", {}).get("type") != "RuntimeDefault":
        found.append("pod: seccomp RuntimeDefault")
    for container in containers(workload):
        found += _container_violations(container, pod)
    return found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_is_hardened(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    found = {
        workload["metadata"]["name"]: violations(workload)
        for workload in workloads(rendered[overlay])
    }
    assert len(found) == 4
    assert not any(found.values()), found


def test_a_weakened_workload_is_caught(rendered: dict[str, list[Manifest]]) -> None:
    workload = copy.deepcopy(named(rendered["prod"], "Deployment", "newsingest-enrich"))
    pod = workload["spec"]["template"]["spec"]
    container = pod["containers"][0]
    del pod["automountServiceAccountToken"]
    container["securityContext"]["readOnlyRootFilesystem"] = False
    container["securityContext"]["capabilities"] = {"drop": ["ALL"], "add": ["NET_RAW"]}
    container["volumeMounts"] = [m for m in container["volumeMounts"] if m["mountPath"] != "/tmp"]
    container["livenessProbe"]["failureThreshold"] = 1
    del container["resources"]["limits"]["memory"]
    container["image"] = "ghcr.io/newsingest/newsingest:latest"
    assert sorted(violations(workload)) == sorted(
        [
            "pod: automountServiceAccountToken must be false",
            "newsingest: readOnlyRootFilesystem",
            "newsingest: capabilities must drop ALL and add none",
            "newsingest: /tmp must be an emptyDir",
            "newsingest: liveness must tolerate longer than readiness",
            "newsingest: requests and limits for memory",
            "newsingest: image needs a pinned tag",
        ]
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_account_mounts_no_token(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    accounts = {a["metadata"]["name"]: a for a in by_kind(rendered[overlay], "ServiceAccount")}
    for workload in workloads(rendered[overlay]):
        name = workload["spec"]["template"]["spec"].get("serviceAccountName")
        assert name in accounts, f"{workload['metadata']['name']} uses the default account"
        assert accounts[name]["automountServiceAccountToken"] is False


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_namespace_enforces_the_restricted_pod_security_standard(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    namespace = by_kind(rendered[overlay], "Namespace")[0]
    labels = namespace["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_quantities() -> None:
    assert cpu_cores("250m") == 0.25
    assert cpu_cores("2") == 2.0
    assert memory_bytes("512Mi") == 512 * 2**20
    assert memory_bytes("1Gi") == 2**30
    assert memory_bytes("1536Mi") > memory_bytes("1Gi")
