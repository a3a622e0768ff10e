"""deploy/docker-compose.yml: valid structure and wired like Kubernetes.

No Docker engine runs here, so the file is parsed (anchors and merge keys
resolved as Compose does) and checked against the Compose specification's
keys, its own references, the files it mounts and the service's settings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.manifests import DEPLOY, STAGES, settings_env_names

COMPOSE = DEPLOY / "docker-compose.yml"

# Top-level and service keys of the Compose specification (extensions: x-*).
TOP_LEVEL_KEYS = {
    "version",
    "name",
    "include",
    "services",
    "networks",
    "volumes",
    "configs",
    "secrets",
}
SERVICE_KEYS = {
    "annotations", "attach", "blkio_config", "build", "cap_add", "cap_drop", "cgroup",
    "cgroup_parent", "command", "configs", "container_name", "cpu_count", "cpu_percent",
    "cpu_shares", "cpu_period", "cpu_quota", "cpu_rt_runtime", "cpu_rt_period", "cpus",
    "cpuset", "credential_spec", "depends_on", "deploy", "develop", "device_cgroup_rules",
    "devices", "dns", "dns_opt", "dns_search", "domainname", "entrypoint", "env_file",
    "environment", "expose", "extends", "external_links", "extra_hosts", "group_add",
    "healthcheck", "hostname", "image", "init", "ipc", "isolation", "labels", "links",
    "logging", "mac_address", "mem_limit", "mem_reservation", "mem_swappiness", "memswap_limit",
    "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit",
    "platform", "ports", "post_start", "pre_stop", "privileged", "profiles", "pull_policy",
    "read_only", "restart", "runtime", "scale", "secrets", "security_opt", "shm_size",
    "stdin_open", "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs",
    "tty", "ulimits", "user", "userns_mode", "uts", "volumes", "volumes_from", "working_dir",
}  # fmt: skip
HEALTHCHECK_KEYS = {
    "test",
    "interval",
    "timeout",
    "retries",
    "start_period",
    "start_interval",
    "disable",
}
DEPENDS_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
RESTART_POLICIES = {"no", "always", "on-failure", "unless-stopped"}
DURATION = re.compile(r"^(\d+(\.\d+)?(us|ms|s|m|h))+$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def _seconds(duration: str) -> float:
    units = {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    return sum(
        float(n) * units[u] for n, _, u in re.findall(r"(\d+(\.\d+)?)(us|ms|s|m|h)", duration)
    )


def test_top_level_structure(compose: dict[str, Any]) -> None:
    keys = {k for k in compose if not k.startswith("x-")}
    assert keys <= TOP_LEVEL_KEYS, keys - TOP_LEVEL_KEYS
    assert "version" not in compose, "obsolete in the Compose specification"


def test_services_use_known_keys_and_valid_values(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        assert re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", name)
        unknown = service.keys() - SERVICE_KEYS
        assert not unknown, f"{name}: {unknown}"
        assert "image" in service or "build" in service, name
        if "healthcheck" in service:
            check = service["healthcheck"]
            assert check.keys() <= HEALTHCHECK_KEYS, name
            assert check["test"][0] in {"CMD", "CMD-SHELL", "NONE"}
            for key in ("interval", "timeout", "start_period"):
                if key in check:
                    assert DURATION.match(check[key]), f"{name}.{key}"
        if "restart" in service:
            assert str(service["restart"]) in RESTART_POLICIES, name
        for key in ("environment", "command", "entrypoint", "ports", "volumes", "tmpfs"):
            if key in service:
                assert isinstance(service[key], list | dict), f"{name}.{key}"
        if isinstance(service.get("environment"), dict):
            for key, value in service["environment"].items():
                assert isinstance(value, str), f"{name}: {key} must be a string, not {value!r}"


def test_references_resolve(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    volumes = set(compose.get("volumes", {}))
    for name, service in services.items():
        depends = service.get("depends_on", {})
        targets = depends if isinstance(depends, list) else list(depends)
        assert set(targets) <= services.keys(), name
        if isinstance(depends, dict):
            for dependency in depends.values():
                assert dependency["condition"] in DEPENDS_CONDITIONS
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                assert (COMPOSE.parent / source).resolve().exists(), f"{name}: {source}"
            else:
                assert source in volumes, f"{name}: undeclared volume {source}"
        if "build" in service:
            context = (COMPOSE.parent / service["build"]["context"]).resolve()
            assert (context / service["build"].get("dockerfile", "Dockerfile")).exists()


def test_images_are_pinned_and_ports_stay_on_loopback(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        image = service["image"]
        tag = image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else ""
        assert tag, f"{name}: untagged image"
        assert tag != "latest", name
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name}: {port}"


def test_kafka_runs_in_kraft_mode(services: dict[str, dict[str, Any]]) -> None:
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = kafka["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert not any("ZOOKEEPER" in key for key in env)
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@")
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert "healthcheck" in kafka


def test_topics_are_created_once_before_the_stages(services: dict[str, dict[str, Any]]) -> None:
    init = services["kafka-init"]
    assert init["depends_on"]["kafka"]["condition"] == "service_healthy"
    script = next(v for v in init["volumes"] if "create-topics.sh" in v).split(":")[0]
    assert "create " in (COMPOSE.parent / script).read_text()
    assert str(init.get("restart", "no")) == "no"
    for stage in STAGES:
        condition = services[stage]["depends_on"]["kafka-init"]["condition"]
        assert condition == "service_completed_successfully"


def test_stages_run_from_the_image_like_on_kubernetes(services: dict[str, dict[str, Any]]) -> None:
    known = settings_env_names()
    for stage in STAGES:
        service = services[stage]
        assert service["command"] == ["run", "--stages", stage]
        env = service["environment"]
        assert set(env) <= known, set(env) - known
        assert env["NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert env["NEWSINGEST_API_HOST"] == "0.0.0.0"
        assert env["NEWSINGEST_TOPICS_CREATE"] == "false"
        drain = float(env["NEWSINGEST_RUNNER_DRAIN_TIMEOUT_S"])
        assert _seconds(service["stop_grace_period"]) > drain
        assert service["read_only"] is True
        assert "/tmp" in service["tmpfs"]
        assert service["cap_drop"] == ["ALL"]
        assert service["user"].split(":")[0] != "0"
    sources = services["discover"]["environment"]["NEWSINGEST_SOURCES_FILE"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in services["discover"]["volumes"]}
    assert (COMPOSE.parent / mounts[sources]).exists()


def test_prometheus_scrapes_the_stages_with_the_repo_rules(
    services: dict[str, dict[str, Any]],
) -> None:
    prometheus = services["prometheus"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in prometheus["volumes"]}
    config_dir = (COMPOSE.parent / mounts["/etc/prometheus"]).resolve()
    config = yaml.safe_load((config_dir / "prometheus.yml").read_text())
    assert any(Path(config_dir / pattern).parent.exists() for pattern in config["rule_files"])
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "newsingest")
    names = {name for sd in job["dns_sd_configs"] for name in sd["names"]}
    assert names == set(STAGES)
    assert all(sd["port"] == 8080 for sd in job["dns_sd_configs"])


def test_grafana_is_provisioned_with_the_dashboard(services: dict[str, dict[str, Any]]) -> None:
    grafana = services["grafana"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in grafana["volumes"]}
    provisioning = (COMPOSE.parent / mounts["/etc/grafana/provisioning"]).resolve()
    provider = yaml.safe_load((provisioning / "dashboards/newsingest.yaml").read_text())
    dashboards_path = provider["providers"][0]["options"]["path"]
    assert (COMPOSE.parent / mounts[dashboards_path] / "newsingest.json").exists()
    datasource = yaml.safe_load((provisioning / "datasources/prometheus.yaml").read_text())
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home.startswith(dashboards_path)


def test_structure_checks_catch_a_broken_file(tmp_path: Path) -> None:
    broken = yaml.safe_load(COMPOSE.read_text())
    broken["services"]["fetch"]["restart_policy"] = "always"
    broken["services"]["fetch"]["depends_on"] = {"kafka-init": {"condition": "healthy"}}
    with pytest.raises(AssertionError):
        test_services_use_known_keys_and_valid_values(broken["services"])
    with pytest.raises(AssertionError):
        test_references_resolve(broken, broken["services"])
