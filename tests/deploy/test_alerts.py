"""The alert rules: valid, fire when they should (promtool unit tests), use
only metrics the service exports, have a runbook entry; the generated files
(PrometheusRule, topic script, dashboard) are up to date; the dashboard's
queries parse and cover every alert.
"""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry

from newsingest.metrics import Metrics
from tests.deploy.manifests import DEPLOY, ROOT, run

RULES = DEPLOY / "prometheus/rules/newsingest.rules.yml"
DASHBOARD = DEPLOY / "grafana/dashboards/newsingest.json"
RUNBOOK = ROOT / "README.md"
# Metrics from outside the service that the rules and the dashboard may use.
EXTERNAL_METRICS = {
    "up",
    "ALERTS",
    "kube_deployment_status_replicas_available",
    "kube_deployment_status_replicas_unavailable",
    "kube_deployment_spec_replicas",
    "kube_pod_container_status_restarts_total",
    "kube_pod_container_status_last_terminated_reason",
    "container_memory_working_set_bytes",
}
SEVERITIES = {"critical", "warning", "info"}

pytestmark = pytest.mark.timeout(600)  # the first use of promtool may install it


def _alerts() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def exported_metric_families() -> dict[str, set[str]]:
    """Every metric of the service's Metrics, with the series names it can expose."""
    families = {}
    for family in Metrics(CollectorRegistry()).registry.collect():
        suffixes = {
            "counter": ("_total", "_created"),
            "histogram": ("_bucket", "_sum", "_count", "_created"),
            "info": ("_info",),
        }.get(family.type, ("",))
        families[family.name] = {family.name + suffix for suffix in suffixes}
    return families


def exported_metric_names() -> set[str]:
    """Every series name the service's Metrics can expose."""
    return set().union(*exported_metric_families().values())


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression (identifiers followed by { or [ or
    standing alone), minus functions, keywords and label names."""
    without_strings = re.sub(r'"[^"]*"|\[[^\]]*\]', "", expr)
    without_labels = re.sub(r"\{[^}]*\}", "{}", without_strings)
    without_groupings = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", without_labels)
    tokens = set(re.findall(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()", without_groupings))
    keywords = {"and", "or", "unless", "bool", "offset", "inf", "nan"}
    durations = {t for t in tokens if re.fullmatch(r"\d+[smhdwy]", t)}
    return {t for t in tokens - keywords - durations if not t[0].isdigit()}


def test_metric_name_extraction() -> None:
    expr = (
        'sum by (stage) (rate(newsingest_records_dlq_total{stage=~"a|b"}[5m])) '
        "/ on (stage) histogram_quantile(0.9, rate(newsingest_fetch_seconds_bucket[1m])) > 0 "
        "and up"
    )
    assert metric_names(expr) == {
        "newsingest_records_dlq_total",
        "newsingest_fetch_seconds_bucket",
        "up",
    }


def test_rules_pass_promtool(promtool: str) -> None:
    result = run(promtool, "check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_config_passes_promtool(promtool: str) -> None:
    result = run(promtool, "check", "config", str(DEPLOY / "prometheus/prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout


def test_rules_use_only_exported_metrics() -> None:
    known = exported_metric_names() | EXTERNAL_METRICS
    for alert in _alerts():
        unknown = metric_names(alert["expr"]) - known
        assert not unknown, f"{alert['alert']}: {unknown}"


def test_every_alert_is_labelled_and_has_a_runbook_entry() -> None:
    runbook = RUNBOOK.read_text()
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in runbook.splitlines()
        if line.startswith("#")
    }
    names = [alert["alert"] for alert in _alerts()]
    assert len(names) == len(set(names))
    for alert in _alerts():
        name = alert["alert"]
        assert name.startswith("Newsingest")
        assert alert["labels"]["severity"] in SEVERITIES, name
        annotations = alert["annotations"]
        assert annotations["summary"]
        assert annotations["description"]
        anchor = annotations["runbook_url"].rsplit("#", 1)[1]
        assert anchor == name.lower()
        assert anchor in anchors, f"no runbook heading for {name} in {RUNBOOK.name}"


# promtool unit tests: (alert, input series, eval time, labels of the alerts
# expected then). An empty list means: must not fire.
S = dict[str, str]
SCENARIOS: list[tuple[str, list[S], str, list[S]]] = [
    (
        "NewsingestConsumerLagGrowing",
        [
            {
                "series": 'newsingest_consumer_lag{stage="fetch", topic="news.urls", partition="0"}',
                "values": "2000+100x40",
            },
            {
                "series": 'newsingest_last_commit_timestamp_seconds{stage="fetch", topic="news.urls", partition="0"}',
                "values": "0x40",
            },
        ],
        "30m",
        [{"severity": "critical", "stage": "fetch", "topic": "news.urls"}],
    ),
    (  # commits keep coming: growing lag alone is not "stuck"
        "NewsingestConsumerLagGrowing",
        [
            {
                "series": 'newsingest_consumer_lag{stage="fetch", topic="news.urls", partition="0"}',
                "values": "2000+100x40",
            },
            {
                "series": 'newsingest_last_commit_timestamp_seconds{stage="fetch", topic="news.urls", partition="0"}',
                "values": "0+60x40",
            },
        ],
        "30m",
        [],
    ),
    (
        "NewsingestConsumerFallingBehind",
        [
            {
                "series": 'newsingest_consumer_lag{stage="enrich", topic="news.pages", partition="3"}',
                "values": "10000+100x80",
            }
        ],
        "70m",
        [{"severity": "warning", "stage": "enrich", "topic": "news.pages"}],
    ),
    (
        "NewsingestNoOutput",
        [
            {"series": 'newsingest_consumer_lag{stage="enrich", topic="news.pages", partition="0"}', "values": "50x40"},
            {"series": 'newsingest_records_out_total{stage="enrich", topic="news.articles"}', "values": "100x40"},
        ],
        "30m",
        [{"severity": "critical", "stage": "enrich"}],
    ),
    (
        "NewsingestNoOutput",
        [
            {"series": 'newsingest_consumer_lag{stage="enrich", topic="news.pages", partition="0"}', "values": "50x40"},
            {"series": 'newsingest_records_out_total{stage="enrich", topic="news.articles"}', "values": "100x40"},
            {"series": 'newsingest_records_dlq_total{stage="enrich", reason="unparseable"}', "values": "0+1x40"},
        ],
        "30m",
        [],
    ),
    (
        "NewsingestNoNewArticles",
        [{"series": 'newsingest_records_out_total{stage="enrich", topic="news.articles"}', "values": "5x100"}],
        "90m",
        [{"severity": "warning"}],
    ),
    (
        "NewsingestNoNewArticles",
        [{"series": 'newsingest_records_out_total{stage="enrich", topic="news.articles"}', "values": "5+1x100"}],
        "90m",
        [],
    ),
    (
        "NewsingestDeadLetterRatioHigh",
        [
            {"series": 'newsingest_records_in_total{stage="fetch"}', "values": "0+60x40"},
            {"series": 'newsingest_records_dlq_total{stage="fetch", reason="too_large"}', "values": "0+6x40"},
        ],
        "30m",
        [{"severity": "warning", "stage": "fetch"}],
    ),
    (
        "NewsingestDeadLetterRatioHigh",
        [
            {"series": 'newsingest_records_in_total{stage="fetch"}', "values": "0+60x40"},
            {"series": 'newsingest_records_dlq_total{stage="fetch", reason="too_large"}', "values": "0+1x40"},
        ],
        "30m",
        [],
    ),
    (
        "NewsingestFetchErrorRatioHigh",
        [
            {"series": 'newsingest_fetch_total{status_class="2xx"}', "values": "0+60x40"},
            {"series": 'newsingest_fetch_total{status_class="5xx"}', "values": "0+40x40"},
            {"series": 'newsingest_fetch_total{status_class="timeout"}', "values": "0+20x40"},
        ],
        "30m",
        [{"severity": "warning"}],
    ),
    (
        "NewsingestFetchErrorRatioHigh",
        [
            {"series": 'newsingest_fetch_total{status_class="2xx"}', "values": "0+60x40"},
            {"series": 'newsingest_fetch_total{status_class="3xx"}', "values": "0+30x40"},
            {"series": 'newsingest_fetch_total{status_class="4xx"}', "values": "0+6x40"},
        ],
        "30m",
        [],
    ),
    (
        "NewsingestSourceFailing",
        [{"series": 'newsingest_source_polls_total{source="bbc-world", outcome="error"}', "values": "0+1x40"}],
        "30m",
        [{"severity": "info", "source": "bbc-world"}],
    ),
    (
        "NewsingestSourceFailing",
        [
            {"series": 'newsingest_source_polls_total{source="bbc-world", outcome="error"}', "values": "0+1x40"},
            {"series": 'newsingest_source_polls_total{source="bbc-world", outcome="not_modified"}', "values": "0+1x40"},
        ],
        "30m",
        [],
    ),
    (
        "NewsingestBrokerUnreachable",
        [{"series": 'newsingest_broker_up{job="newsingest", instance="fetch-1:8080"}', "values": "1 1 0x10"}],
        "10m",
        [{"severity": "critical", "job": "newsingest", "instance": "fetch-1:8080"}],
    ),
    (
        "NewsingestBrokerUnreachable",
        [{"series": 'newsingest_broker_up{job="newsingest", instance="fetch-1:8080"}', "values": "1x8 0 1"}],
        "10m",
        [],
    ),
    (
        "NewsingestProduceErrors",
        [{"series": 'newsingest_produce_errors_total{topic="news.pages"}', "values": "0+1x30"}],
        "20m",
        [{"severity": "warning", "topic": "news.pages"}],
    ),
    (
        "NewsingestCommitsFailing",
        [
            {"series": 'newsingest_commits_total{stage="enrich", outcome="failed"}', "values": "0+5x40"},
            {"series": 'newsingest_commits_total{stage="enrich", outcome="ok"}', "values": "10x40"},
        ],
        "30m",
        [{"severity": "warning", "stage": "enrich"}],
    ),
    (
        "NewsingestCommitsFailing",
        [
            {"series": 'newsingest_commits_total{stage="enrich", outcome="failed"}', "values": "0+5x40"},
            {"series": 'newsingest_commits_total{stage="enrich", outcome="ok"}', "values": "10+60x40"},
        ],
        "30m",
        [],
    ),
    (
        "NewsingestRebalanceStorm",
        [{"series": 'newsingest_rebalances_total{stage="fetch", kind="assigned"}', "values": "0+5x100"}],
        "60m",
        [{"severity": "warning", "stage": "fetch"}],
    ),
    (
        "NewsingestEventLoopLagging",
        [{"series": 'newsingest_event_loop_lag_seconds{instance="enrich-1:8080", job="newsingest"}', "values": "0.5x30"}],
        "20m",
        [{"severity": "warning", "instance": "enrich-1:8080", "job": "newsingest"}],
    ),
    (
        "NewsingestEventLoopLagging",
        [{"series": 'newsingest_event_loop_lag_seconds{instance="enrich-1:8080", job="newsingest"}', "values": "0.01x30"}],
        "20m",
        [],
    ),
    (
        "NewsingestTargetDown",
        [{"series": 'up{job="newsingest", instance="fetch-1:8080"}', "values": "0x10"}],
        "8m",
        [{"severity": "warning", "job": "newsingest", "instance": "fetch-1:8080"}],
    ),
    (
        "NewsingestPodsNotReady",
        [
            {"series": 'kube_deployment_status_replicas_unavailable{namespace="newsingest", deployment="newsingest-fetch"}', "values": "1x30"},
            {"series": 'kube_deployment_status_replicas_unavailable{namespace="other", deployment="web"}', "values": "1x30"},
        ],
        "20m",
        [{"severity": "warning", "namespace": "newsingest", "deployment": "newsingest-fetch"}],
    ),
    (
        "NewsingestStageDown",
        [
            {"series": 'kube_deployment_status_replicas_available{namespace="newsingest", deployment="newsingest-enrich"}', "values": "0x20"},
            {"series": 'kube_deployment_spec_replicas{namespace="newsingest", deployment="newsingest-enrich"}', "values": "2x20"},
        ],
        "10m",
        [{"severity": "critical", "namespace": "newsingest", "deployment": "newsingest-enrich"}],
    ),
    (  # scaled to zero on purpose
        "NewsingestStageDown",
        [
            {"series": 'kube_deployment_status_replicas_available{namespace="newsingest", deployment="newsingest-enrich"}', "values": "0x20"},
            {"series": 'kube_deployment_spec_replicas{namespace="newsingest", deployment="newsingest-enrich"}', "values": "0x20"},
        ],
        "10m",
        [],
    ),
    (
        "NewsingestPodRestarting",
        [
            {
                "series": 'kube_pod_container_status_restarts_total{namespace="newsingest", pod="newsingest-fetch-7d9f-abcde", container="newsingest"}',
                "values": "0+1x40",
            }
        ],
        "35m",
        [{"severity": "warning", "namespace": "newsingest", "pod": "newsingest-fetch-7d9f-abcde", "container": "newsingest"}],
    ),
    (
        "NewsingestOOMKilled",
        [
            {
                "series": 'kube_pod_container_status_last_terminated_reason{namespace="newsingest", pod="newsingest-enrich-1", container="newsingest", reason="OOMKilled"}',
                "values": "1x40",
            },
            {
                "series": 'kube_pod_container_status_restarts_total{namespace="newsingest", pod="newsingest-enrich-1", container="newsingest"}',
                "values": "0 0 1x38",
            },
        ],
        "10m",
        [
            {
                "severity": "warning",
                "namespace": "newsingest",
                "pod": "newsingest-enrich-1",
                "container": "newsingest",
                "reason": "OOMKilled",
            }
        ],
    ),
]  # fmt: skip


def test_every_alert_has_a_firing_scenario() -> None:
    firing = {alert for alert, _, _, expected in SCENARIOS if expected}
    assert firing == {alert["alert"] for alert in _alerts()}


def test_alerts_fire_when_they_should(promtool: str, tmp_path: Path) -> None:
    # promtool compares annotations too; they are checked above, so the
    # scenarios run against a copy without them.
    rules = yaml.safe_load(RULES.read_text())
    for alert in (r for g in rules["groups"] for r in g["rules"]):
        alert.pop("annotations", None)
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules))
    tests = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "name": f"{alert} #{number}",
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": [
                    {
                        "eval_time": at,
                        "alertname": alert,
                        "exp_alerts": [{"exp_labels": labels} for labels in expected],
                    }
                ],
            }
            for number, (alert, series, at, expected) in enumerate(SCENARIOS)
        ],
    }
    (tmp_path / "tests.yml").write_text(yaml.safe_dump(tests))
    result = run(promtool, "test", "rules", "tests.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_files_are_up_to_date() -> None:
    generate = runpy.run_path(str(DEPLOY / "generate.py"))
    for path, render in generate["outputs"]().items():
        assert path.read_text() == render(), f"{path} is stale: run python deploy/generate.py"


def _dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def _dashboard_exprs() -> list[str]:
    return [
        target["expr"] for panel in _dashboard()["panels"] for target in panel.get("targets", [])
    ]


def test_dashboard_queries_parse(promtool: str, tmp_path: Path) -> None:
    """Each query, with Grafana's variables filled in, as a recording rule."""
    substitutions = {"$__rate_interval": "5m", "$namespace": ".*", "$stage": ".*"}
    rules = []
    for number, expr in enumerate(_dashboard_exprs()):
        for variable, value in substitutions.items():
            expr = expr.replace(variable, value)
        assert "$" not in expr, expr
        rules.append({"record": f"dashboard:query_{number}", "expr": expr})
    (tmp_path / "dashboard.yml").write_text(
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]})
    )
    result = run(promtool, "check", "rules", "dashboard.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboard_uses_only_known_metrics_and_covers_the_alerts() -> None:
    known = exported_metric_names() | EXTERNAL_METRICS
    used = set().union(*(metric_names(expr) for expr in _dashboard_exprs()))
    assert not used - known, used - known
    for alert in _alerts():
        missing = metric_names(alert["expr"]) - used
        assert not missing, f"{alert['alert']}: no panel shows {missing}"


def test_dashboard_shows_every_metric_of_the_service() -> None:
    used = set().union(*(metric_names(expr) for expr in _dashboard_exprs()))
    unseen = {name for name, series in exported_metric_families().items() if not series & used}
    assert not unseen, f"no panel shows {sorted(unseen)}"


def test_dashboard_layout_and_data_source() -> None:
    dashboard = _dashboard()
    panels = dashboard["panels"]
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids))
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in cells, f"panel {panel['title']} overlaps another"
                cells.add((x, y))
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] == "${datasource}"
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert {"datasource", "namespace", "stage"} <= variables
    provisioned = yaml.safe_load(
        (DEPLOY / "grafana/provisioning/datasources/prometheus.yaml").read_text()
    )
    datasource = next(v for v in dashboard["templating"]["list"] if v["name"] == "datasource")
    assert datasource["current"]["value"] == provisioned["datasources"][0]["uid"]
