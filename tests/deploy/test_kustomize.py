"""Every overlay renders, and every rendered object is valid for its kind.

Built-in kinds are checked with kubernetes-validate (strict: unknown fields
fail) against the oldest supported Kubernetes (1.30: the preStop sleep
action) and the newest schemas it ships; custom resources against the
schemas in crd_schemas.py.
"""

from __future__ import annotations

import copy
from collections import Counter

import jsonschema
import kubernetes_validate
import pytest

from tests.deploy.crd_schemas import CRD_SCHEMAS
from tests.deploy.manifests import K8S, OVERLAYS, Manifest, kustomize, named, run, tool

KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
APP_NAMESPACE = "newsingest"
TOPIC_NAMESPACE = "kafka"


def _validate(manifest: Manifest, version: str) -> None:
    schema = CRD_SCHEMAS.get(manifest["kind"])
    if schema is not None:
        jsonschema.validate(manifest, schema)
        return
    kubernetes_validate.validate(manifest, version, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_the_whole_service(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    kinds = Counter(m["kind"] for m in rendered[overlay])
    assert kinds["Deployment"] == 4
    assert kinds["KafkaTopic"] == 7
    for kind in ("Namespace", "ServiceAccount", "ServiceMonitor", "PrometheusRule"):
        assert kinds[kind] == 1, kind
    for kind in ("Service", "PodDisruptionBudget", "NetworkPolicy"):
        assert kinds[kind] == 2, kind
    scalers = kinds["HorizontalPodAutoscaler"] + kinds["ScaledObject"]
    assert scalers == 2, "fetch and enrich are scaled by exactly one autoscaler each"
    assert not (kinds["HorizontalPodAutoscaler"] and kinds["ScaledObject"])


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_validates(
    rendered: dict[str, list[Manifest]], overlay: str, version: str
) -> None:
    for manifest in rendered[overlay]:
        try:
            _validate(manifest, version)
        except (kubernetes_validate.ValidationError, jsonschema.ValidationError) as error:
            pytest.fail(f"{overlay}: {manifest['kind']}/{manifest['metadata']['name']}: {error}")


def test_validation_catches_a_misspelt_field(rendered: dict[str, list[Manifest]]) -> None:
    deployment = copy.deepcopy(named(rendered["prod"], "Deployment", "newsingest-fetch"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["periodSecond"] = 5
    with pytest.raises(kubernetes_validate.ValidationError):
        _validate(deployment, KUBERNETES_VERSIONS[-1])
    topic = copy.deepcopy(named(rendered["prod"], "KafkaTopic", "news.urls"))
    topic["spec"]["partition"] = topic["spec"].pop("partitions")
    with pytest.raises(jsonschema.ValidationError):
        _validate(topic, KUBERNETES_VERSIONS[-1])


def test_every_custom_kind_has_a_schema(rendered: dict[str, list[Manifest]]) -> None:
    for manifests in rendered.values():
        for manifest in manifests:
            group = manifest["apiVersion"].split("/")[0]
            if "." in group and not group.endswith(".k8s.io"):
                assert manifest["kind"] in CRD_SCHEMAS, manifest["kind"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_namespaces(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """The service in its own namespace; the topics where Strimzi watches."""
    seen: set[tuple[str, str, str]] = set()
    for manifest in rendered[overlay]:
        kind, metadata = manifest["kind"], manifest["metadata"]
        if kind == "Namespace":
            assert metadata["name"] == APP_NAMESPACE
            continue
        wanted = TOPIC_NAMESPACE if kind == "KafkaTopic" else APP_NAMESPACE
        assert metadata.get("namespace") == wanted, f"{kind}/{metadata['name']}"
        key = (kind, metadata["namespace"], metadata["name"])
        assert key not in seen, key
        seen.add(key)


def test_overlays_differ_where_an_operator_expects(rendered: dict[str, list[Manifest]]) -> None:
    def settings(overlay: str) -> dict[str, str]:
        maps = [m for m in rendered[overlay] if m["kind"] == "ConfigMap"]
        data: dict[str, str] = next(m["data"] for m in maps if "settings" in m["metadata"]["name"])
        return data

    def image(overlay: str) -> str:
        deployment = named(rendered[overlay], "Deployment", "newsingest-fetch")
        return str(deployment["spec"]["template"]["spec"]["containers"][0]["image"])

    def enrich_requests(overlay: str) -> dict[str, str]:
        deployment = named(rendered[overlay], "Deployment", "newsingest-enrich")
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        return dict(container["resources"]["requests"])

    def min_replicas(overlay: str) -> int:
        return int(
            named(rendered[overlay], "HorizontalPodAutoscaler", "newsingest-fetch")["spec"][
                "minReplicas"
            ]
        )

    bootstrap = "NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS"
    assert settings("dev")[bootstrap] != settings("prod")[bootstrap]
    assert settings("prod")["NEWSINGEST_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert image("dev") != image("prod")
    assert ":" in image("prod").rsplit("/", 1)[-1]
    assert enrich_requests("dev") != enrich_requests("prod")
    assert min_replicas("dev") < min_replicas("prod")


def test_base_alone_renders_without_an_overlay() -> None:
    """The base is a valid kustomization too (overlays are thin on top of it)."""
    manifests = kustomize(K8S / "base")
    assert named(manifests, "Deployment", "newsingest-discover")


def test_kubectl_is_the_pinned_wheel() -> None:
    result = run(tool("kubectl"), "version", "--client")
    assert result.returncode == 0, result.stderr
    assert "Kustomize Version" in result.stdout
