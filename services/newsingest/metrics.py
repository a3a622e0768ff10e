"""Every Prometheus metric of newsingest, in one place.

Names carry the ``newsingest_`` prefix and a unit suffix. Labels stay low in
cardinality: stage, topic, reason, outcome, status class, configured source
name, partition number. Never a URL or a host.

A ``Metrics`` is built on a registry and injected into whatever records
metrics, so tests can read their own registry.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_BYTES_BUCKETS = tuple(float(2**n) for n in range(10, 24, 2))  # 1 KiB .. 4 MiB


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry

        self.build_info = Info("newsingest_build", "Version of the running service.", registry=r)

        # runner: records through each stage
        self.records_in = Counter(
            "newsingest_records_in_total", "Records consumed.", ["stage"], registry=r
        )
        self.records_out = Counter(
            "newsingest_records_out_total", "Records produced.", ["stage", "topic"], registry=r
        )
        self.records_dlq = Counter(
            "newsingest_records_dlq_total",
            "Records dead-lettered.",
            ["stage", "reason"],
            registry=r,
        )
        self.retries = Counter(
            "newsingest_retries_total", "Records retried after a failure.", ["stage"], registry=r
        )
        self.processing_seconds = Histogram(
            "newsingest_processing_seconds",
            "Time to process one record in a stage.",
            ["stage"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.in_flight = Gauge(
            "newsingest_in_flight", "Records being processed.", ["stage"], registry=r
        )
        self.retries_waiting = Gauge(
            "newsingest_retries_waiting",
            "Failed records backing off before their retry (no in-flight slot held).",
            ["stage"],
            registry=r,
        )
        self.paused_partitions = Gauge(
            "newsingest_paused_partitions",
            "Partitions paused for backpressure.",
            ["stage"],
            registry=r,
        )
        self.consumer_lag = Gauge(
            "newsingest_consumer_lag",
            "Messages behind the end of an assigned partition.",
            ["stage", "topic", "partition"],
            registry=r,
        )
        self.last_commit_timestamp = Gauge(
            "newsingest_last_commit_timestamp_seconds",
            "Unix time of the last offset commit of an assigned partition.",
            ["stage", "topic", "partition"],
            registry=r,
        )
        self.commits = Counter(
            "newsingest_commits_total",
            "Offset commits by outcome.",
            ["stage", "outcome"],
            registry=r,
        )
        self.rebalances = Counter(
            "newsingest_rebalances_total",
            "Partition assignments and revocations.",
            ["stage", "kind"],
            registry=r,
        )
        self.produce_seconds = Histogram(
            "newsingest_produce_seconds",
            "Time from send to broker acknowledgement.",
            ["topic"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.produce_errors = Counter(
            "newsingest_produce_errors_total", "Failed produce requests.", ["topic"], registry=r
        )
        self.event_loop_lag_seconds = Gauge(
            "newsingest_event_loop_lag_seconds", "Delay of a periodic event-loop tick.", registry=r
        )
        self.broker_up = Gauge(
            "newsingest_broker_up", "1 while the broker answers, else 0.", registry=r
        )

        # fetch
        self.fetches = Counter(
            "newsingest_fetch_total",
            "Fetches by outcome: 2xx/3xx/4xx/5xx or a failure reason.",
            ["status_class"],
            registry=r,
        )
        self.fetch_seconds = Histogram(
            "newsingest_fetch_seconds",
            "Duration of one fetch, all hops.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.fetched_bytes = Counter(
            "newsingest_fetched_bytes_total", "Body bytes fetched.", registry=r
        )
        self.fetch_body_bytes = Histogram(
            "newsingest_fetch_body_bytes",
            "Size of fetched bodies.",
            buckets=_BYTES_BUCKETS,
            registry=r,
        )
        self.robots = Counter(
            "newsingest_robots_total", "robots.txt decisions.", ["outcome"], registry=r
        )

        # enrich
        self.extract_seconds = Histogram(
            "newsingest_extract_seconds",
            "Extraction, cleaning and tagging of one page in the process pool.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.pool_queue_depth = Gauge(
            "newsingest_pool_queue_depth", "Jobs waiting for or in the process pool.", registry=r
        )
        self.removed_segments = Counter(
            "newsingest_removed_segments_total",
            "Segments cleaned out, by reason.",
            ["reason"],
            registry=r,
        )
        self.tags = Counter(
            "newsingest_tags_total", "Classifier tags emitted, by kind.", ["kind"], registry=r
        )

        # discover
        self.discovered = Counter(
            "newsingest_discovered_total",
            "URLs seen in sources, by outcome (new, seen, error).",
            ["source", "outcome"],
            registry=r,
        )
        self.source_polls = Counter(
            "newsingest_source_polls_total",
            "Source polls by outcome (ok, not_modified, error).",
            ["source", "outcome"],
            registry=r,
        )

        # incidents
        self.incidents_open = Gauge(
            "newsingest_incidents_open", "Incidents open in the linker's memory.", registry=r
        )
        self.incident_links = Counter(
            "newsingest_incident_links_total",
            "Strike reports linked, by outcome (linked, opened, duplicate), and incidents "
            "merged into another (merged).",
            ["outcome"],
            registry=r,
        )

        # api
        self.api_requests = Counter(
            "newsingest_api_requests_total", "HTTP API requests.", ["path", "code"], registry=r
        )
