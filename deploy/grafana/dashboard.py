"""The newsingest Grafana dashboard, as data.

``python deploy/generate.py`` writes it to ``dashboards/newsingest.json``,
which Grafana provisions (docker compose) or you import (Kubernetes). Rows
follow the pipeline; every alert in ``prometheus/rules`` has a panel that
shows its condition. Series are filtered by the ``namespace`` variable; under
docker compose there is no namespace label and ``.*`` matches them anyway.
"""

from __future__ import annotations

from typing import Any

Panel = dict[str, Any]

NS = 'namespace=~"$namespace"'
STAGE = f'{NS}, stage=~"$stage"'
RATE = "$__rate_interval"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


def _quantiles(metric: str, by: str, selector: str) -> list[tuple[str, str]]:
    return [
        (
            f"histogram_quantile({q}, sum by (le{', ' + by if by else ''}) "
            f"(rate({metric}_bucket{{{selector}}}[{RATE}])))",
            f"p{round(q * 100)}" + (f" {{{{{by}}}}}" if by else ""),
        )
        for q in (0.5, 0.95)
    ]


# (title, unit, [(expr, legend)], description): three panels a row.
ROWS: list[tuple[str, list[tuple[str, str, list[tuple[str, str]], str]]]] = [
    (
        "Health",
        [
            (
                "Alerts firing",
                "short",
                [
                    (
                        f'sum by (alertname, severity) (ALERTS{{alertstate="firing", '
                        f'alertname=~"Newsingest.*", {NS}}})',
                        "{{alertname}} ({{severity}})",
                    )
                ],
                "Every Newsingest* alert that fires now; see the runbook in the README.",
            ),
            (
                "Kafka reachable",
                "short",
                [("min by (instance) (newsingest_broker_up{" + NS + "})", "{{instance}}")],
                "1 while the broker answers each process (alert NewsingestBrokerUnreachable).",
            ),
            (
                "Scrape targets up",
                "short",
                [(f'up{{job="newsingest", {NS}}}', "{{instance}}")],
                "Prometheus can scrape the process (alert NewsingestTargetDown).",
            ),
            (
                "Ready replicas (Kubernetes)",
                "short",
                [
                    (
                        'sum by (deployment) (kube_deployment_status_replicas_available{deployment=~"newsingest-.*", '
                        + NS
                        + "})",
                        "{{deployment}} available",
                    ),
                    (
                        'sum by (deployment) (kube_deployment_status_replicas_unavailable{deployment=~"newsingest-.*", '
                        + NS
                        + "})",
                        "{{deployment}} unavailable",
                    ),
                    (
                        'sum by (deployment) (kube_deployment_spec_replicas{deployment=~"newsingest-.*", '
                        + NS
                        + "})",
                        "{{deployment}} desired",
                    ),
                ],
                "kube-state-metrics (alerts NewsingestPodsNotReady, NewsingestStageDown).",
            ),
            (
                "Container restarts, 30 min (Kubernetes)",
                "short",
                [
                    (
                        'sum by (pod) (increase(kube_pod_container_status_restarts_total{container="newsingest", '
                        f'pod=~"newsingest-.*", {NS}}}[30m]))',
                        "{{pod}}",
                    ),
                    (
                        'sum by (pod) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled", '
                        f'container="newsingest", pod=~"newsingest-.*", {NS}}})',
                        "{{pod}} last exit OOMKilled",
                    ),
                ],
                "Alerts NewsingestPodRestarting and NewsingestOOMKilled.",
            ),
            (
                "Memory working set (Kubernetes)",
                "bytes",
                [
                    (
                        'sum by (pod) (container_memory_working_set_bytes{container="newsingest", '
                        f'pod=~"newsingest-.*", {NS}}})',
                        "{{pod}}",
                    )
                ],
                "cAdvisor: compare with the limits in k8s/ (sized from measurements).",
            ),
        ],
    ),
    (
        "Throughput",
        [
            (
                "Records in / s",
                "ops",
                [
                    (
                        f"sum by (stage) (rate(newsingest_records_in_total{{{STAGE}}}[{RATE}]))",
                        "{{stage}}",
                    )
                ],
                "Records consumed by each stage.",
            ),
            (
                "Records out / s",
                "ops",
                [
                    (
                        f"sum by (stage, topic) (rate(newsingest_records_out_total{{{STAGE}}}[{RATE}]))",
                        "{{stage}} → {{topic}}",
                    )
                ],
                "Records produced (alerts NewsingestNoOutput, NewsingestNoNewArticles).",
            ),
            (
                "Dead letters / s",
                "ops",
                [
                    (
                        f"sum by (stage, reason) (rate(newsingest_records_dlq_total{{{STAGE}}}[{RATE}]))",
                        "{{stage}} {{reason}}",
                    )
                ],
                "Records sent to news.dlq, by reason code.",
            ),
            (
                "Dead-letter ratio",
                "percentunit",
                [
                    (
                        f"sum by (stage) (rate(newsingest_records_dlq_total{{{STAGE}}}[{RATE}])) / "
                        f"sum by (stage) (rate(newsingest_records_in_total{{{STAGE}}}[{RATE}]))",
                        "{{stage}}",
                    )
                ],
                "Alert NewsingestDeadLetterRatioHigh above 5%.",
            ),
            (
                "Retries / s",
                "ops",
                [
                    (
                        f"sum by (stage) (rate(newsingest_retries_total{{{STAGE}}}[{RATE}]))",
                        "{{stage}}",
                    )
                ],
                "Records retried after a transient failure.",
            ),
            (
                "Processing time",
                "s",
                _quantiles("newsingest_processing_seconds", "stage", STAGE),
                "Time to process one record, per stage.",
            ),
        ],
    ),
    (
        "Kafka",
        [
            (
                "Consumer lag",
                "short",
                [
                    (
                        f"sum by (stage, topic) (newsingest_consumer_lag{{{STAGE}}})",
                        "{{stage}} ← {{topic}}",
                    )
                ],
                "Messages behind the end of the assigned partitions "
                "(alerts NewsingestConsumerLagGrowing, NewsingestConsumerFallingBehind).",
            ),
            (
                "Time since last commit",
                "s",
                [
                    (
                        "time() - max by (stage, topic) "
                        f"(newsingest_last_commit_timestamp_seconds{{{STAGE}}})",
                        "{{stage}} ← {{topic}}",
                    )
                ],
                "Stalled commits with growing lag fire NewsingestConsumerLagGrowing (over 5 min).",
            ),
            (
                "Commits / s",
                "ops",
                [
                    (
                        f"sum by (stage, outcome) (rate(newsingest_commits_total{{{STAGE}}}[{RATE}]))",
                        "{{stage}} {{outcome}}",
                    )
                ],
                "Offset commits by outcome (alert NewsingestCommitsFailing).",
            ),
            (
                "Rebalances, 15 min",
                "short",
                [
                    (
                        f"sum by (stage, kind) (increase(newsingest_rebalances_total{{{STAGE}}}[15m]))",
                        "{{stage}} {{kind}}",
                    )
                ],
                "Partition assignments and revocations (alert NewsingestRebalanceStorm).",
            ),
            (
                "Produce latency",
                "s",
                _quantiles("newsingest_produce_seconds", "topic", NS),
                "Send to broker acknowledgement.",
            ),
            (
                "Produce errors / s",
                "ops",
                [
                    (
                        f"sum by (topic) (rate(newsingest_produce_errors_total{{{NS}}}[{RATE}]))",
                        "{{topic}}",
                    )
                ],
                "Failed produce requests (alert NewsingestProduceErrors).",
            ),
        ],
    ),
    (
        "Runtime",
        [
            (
                "In flight",
                "short",
                [(f"sum by (stage) (newsingest_in_flight{{{STAGE}}})", "{{stage}}")],
                "Records being processed.",
            ),
            (
                "Paused partitions",
                "short",
                [(f"sum by (stage) (newsingest_paused_partitions{{{STAGE}}})", "{{stage}}")],
                "Partitions paused for backpressure.",
            ),
            (
                "Retries waiting",
                "short",
                [(f"sum by (stage) (newsingest_retries_waiting{{{STAGE}}})", "{{stage}}")],
                "Failed records backing off before their retry.",
            ),
            (
                "Event-loop lag",
                "s",
                [
                    (
                        f"avg_over_time(newsingest_event_loop_lag_seconds{{{NS}}}[{RATE}])",
                        "{{instance}}",
                    )
                ],
                "Late ticks of the asyncio loop (alert NewsingestEventLoopLagging over 0.2 s).",
            ),
        ],
    ),
    (
        "Fetch",
        [
            (
                "Fetches / s by outcome",
                "ops",
                [
                    (
                        f"sum by (status_class) (rate(newsingest_fetch_total{{{NS}}}[{RATE}]))",
                        "{{status_class}}",
                    )
                ],
                "Status class or failure reason of each fetch.",
            ),
            (
                "Fetch error ratio",
                "percentunit",
                [
                    (
                        f'sum(rate(newsingest_fetch_total{{status_class!~"2xx|3xx", {NS}}}[{RATE}])) / '
                        f"sum(rate(newsingest_fetch_total{{{NS}}}[{RATE}]))",
                        "errors",
                    )
                ],
                "Alert NewsingestFetchErrorRatioHigh above 30%.",
            ),
            (
                "Fetch duration",
                "s",
                _quantiles("newsingest_fetch_seconds", "", NS),
                "One fetch, all hops.",
            ),
            (
                "Bytes fetched / s",
                "Bps",
                [(f"sum(rate(newsingest_fetched_bytes_total{{{NS}}}[{RATE}]))", "bytes")],
                "Body bytes fetched.",
            ),
            (
                "Body size",
                "bytes",
                _quantiles("newsingest_fetch_body_bytes", "", NS),
                "Size of fetched bodies.",
            ),
            (
                "robots.txt decisions / s",
                "ops",
                [
                    (
                        f"sum by (outcome) (rate(newsingest_robots_total{{{NS}}}[{RATE}]))",
                        "{{outcome}}",
                    )
                ],
                "Allowed, disallowed, or robots.txt unavailable.",
            ),
        ],
    ),
    (
        "Enrich",
        [
            (
                "Extraction time",
                "s",
                _quantiles("newsingest_extract_seconds", "", NS),
                "Extraction, cleaning and tagging of one page in the process pool.",
            ),
            (
                "Process-pool queue",
                "short",
                [(f"sum by (instance) (newsingest_pool_queue_depth{{{NS}}})", "{{instance}}")],
                "Jobs waiting for or in the pool: steadily above the worker count means "
                "enrich needs more CPU or replicas.",
            ),
            (
                "Tags / s",
                "ops",
                [
                    (
                        f"sum by (kind) (rate(newsingest_tags_total{{{NS}}}[{RATE}]))",
                        "{{kind}}",
                    )
                ],
                "Classifier tags emitted.",
            ),
            (
                "Removed segments / s",
                "ops",
                [
                    (
                        f"sum by (reason) (rate(newsingest_removed_segments_total{{{NS}}}[{RATE}]))",
                        "{{reason}}",
                    )
                ],
                "What cleaning removed, by reason.",
            ),
        ],
    ),
    (
        "Incidents",
        [
            (
                "Open incidents",
                "short",
                [(f"sum by (instance) (newsingest_incidents_open{{{NS}}})", "{{instance}}")],
                "Incidents in the linker's memory, restored from news.incidents at start-up. "
                "One line: the stage runs as one replica. It follows the strikes of the "
                "closing window (NEWSINGEST_INCIDENTS_CLOSE_AFTER_DAYS); memory grows with it.",
            ),
            (
                "Incident links / s",
                "ops",
                [
                    (
                        f"sum by (outcome) (rate(newsingest_incident_links_total{{{NS}}}[{RATE}]))",
                        "{{outcome}}",
                    )
                ],
                "Strike reports that joined an incident (linked), opened one (opened) or "
                "were seen before (duplicate, a redelivery), and incidents merged into another.",
            ),
            (
                "Reports opening a new incident",
                "percentunit",
                [
                    (
                        "sum(rate(newsingest_incident_links_total{"
                        + NS
                        + f', outcome="opened"}}[{RATE}])) / sum(rate('
                        + "newsingest_incident_links_total{"
                        + NS
                        + f', outcome=~"linked|opened"}}[{RATE}]))',
                        "opened / (linked + opened)",
                    )
                ],
                "Share of new strike reports that found no incident to join. Outlets report "
                "each strike several times, so a jump towards 100% after a release means "
                "linking no longer recognises the same strike (check the classifier's tags).",
            ),
        ],
    ),
    (
        "Discover and API",
        [
            (
                "Discovered URLs / s",
                "ops",
                [
                    (
                        f"sum by (outcome) (rate(newsingest_discovered_total{{{NS}}}[{RATE}]))",
                        "{{outcome}}",
                    )
                ],
                "URLs seen in sources: new, already seen, error.",
            ),
            (
                "Source polls / s",
                "ops",
                [
                    (
                        f"sum by (source, outcome) (rate(newsingest_source_polls_total{{{NS}}}[{RATE}]))",
                        "{{source}} {{outcome}}",
                    )
                ],
                "Polls by outcome (alert NewsingestSourceFailing).",
            ),
            (
                "API requests / s",
                "reqps",
                [
                    (
                        f"sum by (path, code) (rate(newsingest_api_requests_total{{{NS}}}[{RATE}]))",
                        "{{path}} {{code}}",
                    )
                ],
                "HTTP API requests by path and status code.",
            ),
            (
                "Running versions",
                "short",
                [(f"count by (version) (newsingest_build_info{{{NS}}})", "{{version}}")],
                "Processes per version: two lines during a rollout.",
            ),
        ],
    ),
]


def _variable(name: str, label: str, query: str) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DATASOURCE,
        "query": {"query": query, "refId": f"{name}-values"},
        "definition": query,
        "refresh": 2,
        "includeAll": True,
        "allValue": ".*",
        "multi": True,
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "sort": 1,
    }


def _panels() -> list[Panel]:
    panels: list[Panel] = []
    y = 0
    for row_title, row_panels in ROWS:
        panels.append(
            {
                "type": "row",
                "title": row_title,
                "id": len(panels) + 1,
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": y},
                "panels": [],
            }
        )
        y += 1
        for index, (title, unit, queries, description) in enumerate(row_panels):
            panels.append(
                {
                    "type": "timeseries",
                    "title": title,
                    "description": description,
                    "id": len(panels) + 1,
                    "datasource": DATASOURCE,
                    "gridPos": {"h": 8, "w": 8, "x": (index % 3) * 8, "y": y + (index // 3) * 8},
                    "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                    "options": {"legend": {"displayMode": "list", "placement": "bottom"}},
                    "targets": [
                        {
                            "refId": chr(ord("A") + n),
                            "datasource": DATASOURCE,
                            "expr": expr,
                            "legendFormat": legend,
                        }
                        for n, (expr, legend) in enumerate(queries)
                    ],
                }
            )
        y += 8 * ((len(row_panels) + 2) // 3)
    return panels


def dashboard() -> dict[str, Any]:
    return {
        "uid": "newsingest",
        "title": "newsingest",
        "description": "The newsingest pipeline: throughput, Kafka, fetch, enrich, incidents, discover.",
        "tags": ["newsingest", "kafka"],
        "timezone": "utc",
        "editable": True,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {"text": "Prometheus", "value": "prometheus"},
                },
                _variable(
                    "namespace", "Namespace", "label_values(newsingest_build_info, namespace)"
                ),
                _variable("stage", "Stage", "label_values(newsingest_records_in_total, stage)"),
            ]
        },
        "annotations": {"list": []},
        "panels": _panels(),
    }
