"""The manifests agree with the service and with each other.

Settings names and values are read by the real ``Settings`` model; selectors
select what they mean to; autoscalers stop at the partition count; the
network policy keeps private ranges out; the drain fits the grace period.
"""

from __future__ import annotations

import ipaddress
import math
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from newsingest.broker import topic_specs
from newsingest.config import Settings
from newsingest.discover.sources import load_sources
from newsingest.fetch.guard import is_public
from tests.deploy.manifests import (
    DEPLOY,
    OVERLAYS,
    STAGES,
    Manifest,
    by_kind,
    containers,
    cpu_cores,
    memory_bytes,
    named,
    settings_env_names,
    workloads,
)

DEFAULTS = Settings()
# The topic each scalable stage consumes.
INPUT_TOPIC = {"fetch": DEFAULTS.topics.urls, "enrich": DEFAULTS.topics.pages}


def setting(settings: Settings, env_name: str) -> Any:
    """The value that ``env_name`` sets, read back from the model."""
    rest = env_name.removeprefix("NEWSINGEST_").lower()
    if rest in Settings.model_fields:
        return getattr(settings, rest)
    group, _, field = rest.partition("_")
    return getattr(getattr(settings, group), field)


def same(parsed: Any, raw: str) -> bool:
    if isinstance(parsed, bool):
        return parsed == (raw.lower() in {"1", "true", "yes", "on"})
    if isinstance(parsed, int | float):
        return float(parsed) == float(raw)
    if isinstance(parsed, Path):
        return str(parsed) == raw
    return str(parsed) == raw


def settings_data(manifests: list[Manifest]) -> dict[str, str]:
    maps = [m for m in by_kind(manifests, "ConfigMap") if "-settings" in m["metadata"]["name"]]
    assert len(maps) == 1
    data: dict[str, str] = maps[0]["data"]
    return data


def stage_of(workload: Manifest) -> str:
    args = workload["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[:2] == ["run", "--stages"], args
    return str(args[2])


def container_env(workload: Manifest) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = workload["spec"]["template"]["spec"]["containers"][0].get("env", [])
    return env


def load_settings(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> Settings:
    for name in list(os.environ):
        if name.startswith("NEWSINGEST_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()


def test_env_name_helper_knows_the_settings() -> None:
    names = settings_env_names()
    assert "NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS" in names
    assert "NEWSINGEST_SOURCES_FILE" in names
    assert "NEWSINGEST_KAFKA_BOOTSTRAP_SERVER" not in names


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_setting_is_a_real_one_and_parses(
    rendered: dict[str, list[Manifest]], overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = settings_env_names()
    shared = settings_data(rendered[overlay])
    for workload in workloads(rendered[overlay]):
        literal = {e["name"]: e["value"] for e in container_env(workload) if "value" in e}
        referenced = {e["name"] for e in container_env(workload)}
        unknown = (shared.keys() | referenced) - known
        assert not unknown, f"{workload['metadata']['name']}: not settings: {sorted(unknown)}"
        env = {**shared, **literal}
        settings = load_settings(monkeypatch, env)
        for name, raw in env.items():
            assert same(setting(settings, name), raw), f"{name}={raw} read as something else"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_one_deployment_per_stage(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    stages = sorted(stage_of(w) for w in workloads(rendered[overlay]))
    assert stages == sorted(STAGES)
    for workload in workloads(rendered[overlay]):
        assert workload["metadata"]["name"] == f"newsingest-{stage_of(workload)}"


def test_the_service_knows_every_deployed_stage() -> None:
    from newsingest.app import STAGES as SERVICE_STAGES

    assert set(STAGES) <= set(SERVICE_STAGES)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_singletons_never_run_twice(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    for stage in ("discover", "incidents"):
        deployment = named(rendered[overlay], "Deployment", f"newsingest-{stage}")
        assert deployment["spec"]["replicas"] == 1
        assert deployment["spec"]["strategy"]["type"] == "Recreate"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_grace_period_outlasts_the_drain(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    drain = float(settings_data(rendered[overlay]).get("NEWSINGEST_RUNNER_DRAIN_TIMEOUT_S", 0))
    drain = drain or DEFAULTS.runner.drain_timeout_s
    for workload in workloads(rendered[overlay]):
        pod = workload["spec"]["template"]["spec"]
        pre_stop = pod["containers"][0].get("lifecycle", {}).get("preStop", {})
        sleep = pre_stop.get("sleep", {}).get("seconds", 0)
        grace = pod["terminationGracePeriodSeconds"]
        assert grace >= sleep + drain + 5, f"{workload['metadata']['name']}: {grace} s"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_static_membership_and_credentials_come_from_the_pod(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    for workload in workloads(rendered[overlay]):
        env = {e["name"]: e for e in container_env(workload)}
        instance = env["NEWSINGEST_KAFKA_GROUP_INSTANCE_ID"]["valueFrom"]["fieldRef"]
        assert instance["fieldPath"] == "metadata.name"
        for name in ("NEWSINGEST_KAFKA_SASL_USERNAME", "NEWSINGEST_KAFKA_SASL_PASSWORD"):
            assert "secretKeyRef" in env[name]["valueFrom"], name
        assert not any("PASSWORD" in e["name"] and "value" in e for e in env.values())


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_enrich_workers_follow_the_cpu_request(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    deployment = named(rendered[overlay], "Deployment", "newsingest-enrich")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    ref = {e["name"]: e for e in container["env"]}["NEWSINGEST_ENRICH_WORKERS"]["valueFrom"]
    assert ref["resourceFieldRef"]["containerName"] == container["name"]
    assert ref["resourceFieldRef"]["resource"] == "requests.cpu"
    workers = math.ceil(cpu_cores(container["resources"]["requests"]["cpu"]))
    assert workers >= 1
    assert cpu_cores(container["resources"]["limits"]["cpu"]) >= workers


# Peak RSS in MiB, measured by `python -m bench.memory --stages` (bench/README.md, "Memory"):
# each stage loaded; enrich as its stage process, forkserver and one pool worker after a
# 5 MB page (the fetch body cap), the pod holding one such worker per requested core.
MEASURED_PEAK_MIB = {"discover": 84, "fetch": 126, "incidents": 127}
ENRICH_PEAK_MIB = {"stage": 187, "forkserver": 59, "worker": 161}
LIMIT_HEADROOM = 1.25


def measured_peak_mib(stage: str, cpu_request: str) -> float:
    if stage != "enrich":
        return MEASURED_PEAK_MIB[stage]
    workers = math.ceil(cpu_cores(cpu_request))
    return (
        ENRICH_PEAK_MIB["stage"]
        + ENRICH_PEAK_MIB["forkserver"]
        + (workers * ENRICH_PEAK_MIB["worker"])
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_memory_limits_cover_the_measured_peaks(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    for workload in workloads(rendered[overlay]):
        stage = stage_of(workload)
        resources = workload["spec"]["template"]["spec"]["containers"][0]["resources"]
        peak = measured_peak_mib(stage, resources["requests"]["cpu"])
        limit_mib = memory_bytes(resources["limits"]["memory"]) / 2**20
        assert limit_mib >= LIMIT_HEADROOM * peak, (stage, limit_mib, peak)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_sources_file_is_mounted_from_the_config_map(
    rendered: dict[str, list[Manifest]], overlay: str, tmp_path: Path
) -> None:
    deployment = named(rendered[overlay], "Deployment", "newsingest-discover")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    path = Path({e["name"]: e for e in container["env"]}["NEWSINGEST_SOURCES_FILE"]["value"])
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == str(path.parent))
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    config_map = named(rendered[overlay], "ConfigMap", volume["configMap"]["name"])
    assert path.name in config_map["data"]
    # The discover stage's own loader accepts it.
    copy = tmp_path / path.name
    copy.write_text(config_map["data"][path.name])
    assert load_sources(copy)


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_selectors_select_what_they_mean(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    manifests = rendered[overlay]
    pods = {
        w["metadata"]["name"]: w["spec"]["template"]["metadata"]["labels"]
        for w in workloads(manifests)
    }
    for workload in workloads(manifests):
        assert _selects(
            workload["spec"]["selector"]["matchLabels"], pods[workload["metadata"]["name"]]
        )
    api = named(manifests, "Service", "newsingest-api")
    assert [n for n, labels in pods.items() if _selects(api["spec"]["selector"], labels)] == [
        "newsingest-discover"
    ]
    metrics = named(manifests, "Service", "newsingest-metrics")
    assert all(_selects(metrics["spec"]["selector"], labels) for labels in pods.values())
    for budget in by_kind(manifests, "PodDisruptionBudget"):
        chosen = [
            n
            for n, labels in pods.items()
            if _selects(budget["spec"]["selector"]["matchLabels"], labels)
        ]
        assert chosen == [budget["metadata"]["name"]]
        assert budget["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow"
    for service in by_kind(manifests, "Service"):
        for port in service["spec"]["ports"]:
            for name, labels in pods.items():
                if _selects(service["spec"]["selector"], labels):
                    ports = named(manifests, "Deployment", name)["spec"]["template"]["spec"][
                        "containers"
                    ][0]["ports"]
                    assert port["targetPort"] in {p["name"] for p in ports}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_monitor_scrapes_every_stage_once(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    manifests = rendered[overlay]
    monitor = by_kind(manifests, "ServiceMonitor")[0]
    chosen = [
        s
        for s in by_kind(manifests, "Service")
        if _selects(monitor["spec"]["selector"]["matchLabels"], s["metadata"]["labels"])
        and {e["port"] for e in monitor["spec"]["endpoints"]}
        & {p["name"] for p in s["spec"]["ports"]}
    ]
    assert [s["metadata"]["name"] for s in chosen] == ["newsingest-metrics"]
    # The alert rules match job="newsingest": the job comes from this label.
    assert chosen[0]["metadata"]["labels"][monitor["spec"]["jobLabel"]] == "newsingest"
    assert chosen[0]["spec"]["publishNotReadyAddresses"] is True


def _topics(manifests: list[Manifest]) -> dict[str, Manifest]:
    return {t["metadata"]["name"]: t for t in by_kind(manifests, "KafkaTopic")}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_topics_match_the_settings(
    rendered: dict[str, list[Manifest]], overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    topics = _topics(rendered[overlay])
    wanted = load_settings(monkeypatch, settings_data(rendered[overlay])).topics
    # What the service would create with NEWSINGEST_TOPICS_CREATE=true is what Strimzi creates.
    for created in topic_specs(wanted):
        spec = topics[created.name]["spec"]
        assert spec["partitions"] == created.partitions, created.name
        assert spec["replicas"] == created.replication_factor, created.name
        policy = created.configs.get("cleanup.policy", "delete")
        assert spec["config"]["cleanup.policy"] == policy, created.name
    names = {wanted.urls, wanted.pages, wanted.articles, wanted.strikes, wanted.dlq}
    assert topics.keys() == names | {wanted.seen, wanted.incidents}
    compacted = {n for n, t in topics.items() if t["spec"]["config"]["cleanup.policy"] == "compact"}
    assert compacted == {wanted.seen, wanted.incidents}
    for name in (wanted.pages, wanted.dlq):
        limit = int(topics[name]["spec"]["config"]["max.message.bytes"])
        assert limit >= DEFAULTS.kafka.max_request_bytes, name
    for topic in topics.values():
        spec = topic["spec"]
        assert int(spec["config"]["min.insync.replicas"]) <= spec["replicas"]
        cluster = topic["metadata"]["labels"]["strimzi.io/cluster"]
        bootstrap = settings_data(rendered[overlay])["NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS"]
        assert bootstrap.startswith(f"{cluster}-kafka-bootstrap."), (cluster, bootstrap)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscalers_stop_at_the_partition_count(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    manifests = rendered[overlay]
    topics = _topics(manifests)
    settings = settings_data(manifests)
    scaled = set()
    for hpa in by_kind(manifests, "HorizontalPodAutoscaler"):
        target = named(manifests, "Deployment", hpa["spec"]["scaleTargetRef"]["name"])
        stage = stage_of(target)
        scaled.add(stage)
        assert "replicas" not in target["spec"], "the autoscaler owns the replica count"
        assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert hpa["spec"]["maxReplicas"] <= topics[INPUT_TOPIC[stage]]["spec"]["partitions"]
    for scaler in by_kind(manifests, "ScaledObject"):
        target = named(manifests, "Deployment", scaler["spec"]["scaleTargetRef"]["name"])
        stage = stage_of(target)
        scaled.add(stage)
        assert "replicas" not in target["spec"]
        (trigger,) = scaler["spec"]["triggers"]
        meta = trigger["metadata"]
        assert trigger["type"] == "kafka"
        assert meta["topic"] == INPUT_TOPIC[stage]
        assert meta["consumerGroup"] == f"{DEFAULTS.kafka.group_prefix}.{stage}"
        assert meta["bootstrapServers"] == settings["NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS"]
        sasl = settings.get("NEWSINGEST_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT").startswith("SASL")
        assert ("sasl" in meta) == sasl
        assert scaler["spec"]["maxReplicaCount"] <= topics[meta["topic"]]["spec"]["partitions"]
        if "authenticationRef" in trigger:
            named(manifests, "TriggerAuthentication", trigger["authenticationRef"]["name"])
    assert scaled == {"fetch", "enrich"}


def _egress_rules(manifests: list[Manifest], component: str) -> list[dict[str, Any]]:
    rules = []
    for policy in by_kind(manifests, "NetworkPolicy"):
        selector = policy["spec"]["podSelector"]
        if not _selects(selector.get("matchLabels", {}), {"app.kubernetes.io/name": "newsingest"}):
            continue
        expressions = selector.get("matchExpressions", [])
        if all(component in e["values"] for e in expressions):
            rules += policy["spec"].get("egress", [])
    return rules


def _allowed(rules: list[dict[str, Any]], address: str, port: int) -> bool:
    ip = ipaddress.ip_address(address)
    for rule in rules:
        if port not in {p["port"] for p in rule.get("ports", [])}:
            continue
        for peer in rule.get("to", []):
            block = peer.get("ipBlock")
            if block is None:
                continue
            network = ipaddress.ip_network(block["cidr"])
            excepted = any(ip in ipaddress.ip_network(e) for e in block.get("except", []))
            if ip.version == network.version and ip in network and not excepted:
                return True
    return False


PUBLIC_V4 = "93.184.216.34"
PRIVATE_V4 = (
    "169.254.169.254",  # cloud metadata
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "100.64.0.10",  # carrier-grade NAT
    "127.0.0.1",
    "0.0.0.1",
    "192.0.0.170",
    "198.18.0.1",
    "224.0.0.251",
    "255.255.255.255",
)
PRIVATE_V6 = (
    "::",
    "::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "fe80::1",
    "fec0::1",
    "ff02::1",
    "100::1",
    "2001:2::1",
    "2001:db8::1",
    "3fff::1",
)


def carriers_of(v4: str) -> list[str]:
    """The IPv6 addresses that carry ``v4``: mapped, compatible, NAT64 (well-known and
    local-use prefix), 6to4 and Teredo."""
    n = int(ipaddress.IPv4Address(v4))
    forms = [
        0xFFFF << 32 | n,
        n,
        int(ipaddress.IPv6Address("64:ff9b::")) | n,
        int(ipaddress.IPv6Address("64:ff9b:1::")) | n,
        0x2002 << 112 | n << 80 | 1,
        0x2001 << 112 | (n ^ 0xFFFFFFFF),  # Teredo keeps the client address inverted
    ]
    return [str(ipaddress.IPv6Address(form)) for form in forms]


def test_carriers_carry_the_address() -> None:
    embedded = set()
    for form in carriers_of("10.1.2.3"):
        address = ipaddress.IPv6Address(form)
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        embedded.add(str(inner or ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)))
    assert embedded == {"10.1.2.3"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policy_lets_fetch_reach_the_web_and_nothing_private(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    manifests = rendered[overlay]
    fetch = _egress_rules(manifests, "fetch")
    nat64_of_public = str(
        ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | 0x5DB8D822)
    )
    for public in (PUBLIC_V4, "2606:2800:220:1:248:1893:25c8:1946", nat64_of_public):
        assert _allowed(fetch, public, 443), public
        assert _allowed(fetch, public, 80), public
        assert not _allowed(fetch, public, 22), public
    private = [*PRIVATE_V4, *PRIVATE_V6, *(c for v4 in PRIVATE_V4 for c in carriers_of(v4))]
    for address in private:
        assert not _allowed(fetch, address, 443), address
    assert not _allowed(_egress_rules(manifests, "enrich"), PUBLIC_V4, 443)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policy_lets_through_nothing_the_fetch_guard_refuses(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    fetch = _egress_rules(rendered[overlay], "fetch")
    samples = [*PRIVATE_V4, *PRIVATE_V6, PUBLIC_V4]
    samples += [c for v4 in [*PRIVATE_V4, PUBLIC_V4] for c in carriers_of(v4)]
    for address in samples:
        if _allowed(fetch, address, 443):
            assert is_public(ipaddress.ip_address(address)), address


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policy_allows_dns_and_the_kafka_port(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    manifests = rendered[overlay]
    bootstrap = settings_data(manifests)["NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS"]
    kafka_port = int(bootstrap.rsplit(":", 1)[1])
    for stage in STAGES:
        rules = _egress_rules(manifests, stage)
        ports = {(p["port"], p.get("protocol", "TCP")) for r in rules for p in r.get("ports", [])}
        assert (53, "UDP") in ports
        assert (53, "TCP") in ports
        assert (kafka_port, "TCP") in ports, stage
        for rule in rules:
            for peer in rule.get("to", []):
                labels = peer.get("podSelector", {}).get("matchLabels", {})
                assert "app.kubernetes.io/name" not in labels, "peer selector rewritten"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_prometheus_rule_is_the_rules_file(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    source = yaml.safe_load((DEPLOY / "prometheus/rules/newsingest.rules.yml").read_text())
    rule = by_kind(rendered[overlay], "PrometheusRule")[0]
    assert rule["spec"]["groups"] == source["groups"]


def test_workload_helpers_see_init_containers() -> None:
    workload = {
        "spec": {
            "template": {"spec": {"initContainers": [{"name": "a"}], "containers": [{"name": "b"}]}}
        }
    }
    assert [c["name"] for c in containers(workload)] == ["a", "b"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_api_listens_where_the_probes_and_services_look(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    settings = settings_data(rendered[overlay])
    assert settings["NEWSINGEST_API_HOST"] == "0.0.0.0"
    port = int(settings["NEWSINGEST_API_PORT"])
    for workload in workloads(rendered[overlay]):
        ports = workload["spec"]["template"]["spec"]["containers"][0]["ports"]
        assert {p["name"]: p["containerPort"] for p in ports} == {"http": port}
