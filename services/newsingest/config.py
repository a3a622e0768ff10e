"""Settings, read once from the environment (``NEWSINGEST_*``) and passed down.

Groups map to env names by their prefix: ``kafka.bootstrap_servers`` is
``NEWSINGEST_KAFKA_BOOTSTRAP_SERVERS``, ``fetch.allow`` is
``NEWSINGEST_FETCH_ALLOW``. Defaults run on a laptop with the embedded broker.
Nothing else in the package reads the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

CommaList = Annotated[list[str], NoDecode]
TopicKey = Literal["urls", "pages", "articles", "strikes", "dlq", "seen", "incidents"]


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class _Group(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KafkaSettings(_Group):
    bootstrap_servers: str | None = Field(
        None, description="Kafka bootstrap servers; unset starts the embedded broker."
    )
    client_id: str = Field("newsingest", description="Kafka client id prefix.")
    group_prefix: str = Field("newsingest", description="Consumer groups are <prefix>.<stage>.")
    group_instance_id: str | None = Field(
        None, description="Static membership id (e.g. the pod name) to avoid rebalances on restart."
    )
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", description="How clients talk to Kafka."
    )
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = Field(
        None, description="SASL mechanism (SASL_* protocols); PLAIN when unset."
    )
    sasl_username: str | None = Field(None, description="SASL user (from a Secret).")
    sasl_password: SecretStr | None = Field(None, description="SASL password (from a Secret).")
    ssl_cafile: Path | None = Field(None, description="CA bundle to verify the brokers.")
    ssl_certfile: Path | None = Field(None, description="Client certificate (mutual TLS).")
    ssl_keyfile: Path | None = Field(None, description="Client key (mutual TLS).")
    idempotence: bool | None = Field(
        None, description="Idempotent producer; default on for a real Kafka, off when embedded."
    )
    compression: Literal["none", "gzip", "lz4", "zstd", "snappy"] = Field(
        "zstd", description="Producer compression."
    )
    linger_ms: int = Field(5, ge=0, description="Producer linger before sending a batch.")
    max_batch_bytes: int = Field(1_048_576, gt=0, description="Producer max batch size.")
    max_request_bytes: int = Field(8_388_608, gt=0, description="Producer max request size.")
    request_timeout_ms: int = Field(40_000, gt=0, description="Client request timeout.")
    session_timeout_ms: int | None = Field(
        None,
        gt=0,
        description="Group session timeout; default 45 s on a real Kafka, 6 s embedded "
        "(Tansu holds each join for half of it).",
    )
    max_poll_interval_ms: int = Field(
        300_000, gt=0, description="Longest time between polls before the group evicts us."
    )
    fetch_max_wait_ms: int | None = Field(
        None,
        gt=0,
        description="Longest the broker may hold a fetch that finds no records; default 500 ms "
        "on a real Kafka (it answers as soon as records arrive), 100 ms embedded (Tansu does "
        "not: there a record waits for a share of this at each hop).",
    )
    fetch_max_bytes: int = Field(52_428_800, gt=0, description="Consumer fetch.max.bytes.")
    max_partition_fetch_bytes: int = Field(
        8_388_608, gt=0, description="Consumer max.partition.fetch.bytes."
    )
    embedded_port: int = Field(
        0, ge=0, le=65535, description="Port of the embedded broker; 0 picks a free one."
    )


_PER_TOPIC = "Partitions of the {}; unset: NEWSINGEST_TOPICS_PARTITIONS."


class TopicSettings(_Group):
    urls: str = Field("news.urls", description="URLs to fetch (key: host).")
    pages: str = Field("news.pages", description="Fetched pages (key: url_id).")
    articles: str = Field("news.articles", description="Enriched articles (key: article_id).")
    strikes: str = Field("news.strikes", description="Strike-tagged articles (key: article_id).")
    dlq: str = Field("news.dlq", description="Dead letters of every stage, with reason codes.")
    seen: str = Field("news.urls.seen", description="Compacted memory of submitted url_ids.")
    incidents: str = Field("news.incidents", description="Incidents (compacted, key: incident_id).")
    partitions: int = Field(
        6, ge=1, description="Partitions of each topic created at start-up, unless set per topic."
    )
    partitions_urls: int | None = Field(
        None, ge=1, description=_PER_TOPIC.format("URLs topic (caps useful fetch replicas)")
    )
    partitions_pages: int | None = Field(
        None, ge=1, description=_PER_TOPIC.format("pages topic (caps useful enrich replicas)")
    )
    partitions_articles: int | None = Field(
        None, ge=1, description=_PER_TOPIC.format("articles topic")
    )
    partitions_strikes: int | None = Field(
        None, ge=1, description=_PER_TOPIC.format("strikes topic")
    )
    partitions_dlq: int | None = Field(
        None, ge=1, description=_PER_TOPIC.format("dead-letter topic")
    )
    partitions_seen: int | None = Field(None, ge=1, description=_PER_TOPIC.format("seen-URL topic"))
    partitions_incidents: int | None = Field(
        None, ge=1, description=_PER_TOPIC.format("incidents topic")
    )
    replication_factor: int = Field(1, ge=1, description="Replication of topics created.")
    create: bool = Field(True, description="Create missing topics at start-up.")

    def partitions_of(self, topic: TopicKey) -> int:
        """Partitions to create ``topic`` with (``"urls"``, ``"pages"``...): its own or the shared."""
        own: int | None = getattr(self, f"partitions_{topic}")
        return self.partitions if own is None else own


class RunnerSettings(_Group):
    max_in_flight_per_partition: int = Field(
        16, ge=1, description="Records processed at once per partition."
    )
    max_in_flight: int = Field(256, ge=1, description="Records processed at once per stage.")
    drain_timeout_s: float = Field(20.0, gt=0, description="SIGTERM drain deadline.")
    processing_timeout_s: float = Field(
        60.0,
        gt=0,
        description="Total deadline for one record in a stage; fetch bounds its own time "
        "(network deadline per try, politeness waits not counted) and uses this as its "
        "retry budget.",
    )
    max_attempts: int = Field(3, ge=1, description="Attempts before a record is dead-lettered.")
    retry_backoff_s: float = Field(
        2.0,
        ge=0,
        description="Wait before a failed record's first retry; doubles per attempt, "
        "jittered (x0.5-1).",
    )
    retry_backoff_max_s: float = Field(
        60.0,
        ge=0,
        description="Longest wait before a retry; also caps a failure's own hint "
        "(robots.txt unreachable: until its 30 s re-check).",
    )
    max_waiting_retries_per_partition: int = Field(
        32,
        ge=1,
        description="Failed records waiting out their backoff per partition (no in-flight "
        "slot held); when full the partition pauses.",
    )
    commit_interval_s: float = Field(
        0.2, ge=0, description="Least time between two offset commits (commits follow progress)."
    )
    max_backlog_per_partition: int = Field(
        2_000,
        ge=1,
        description="Records fetched but not started per partition (one poll may add up to "
        "500 more); when full the partition pauses. Lets the records of other keys pass "
        "those waiting for their key's in-flight bound (fetch: a host's).",
    )


class FetchSettings(_Group):
    user_agent: str = Field(
        "newsingest/0.1 (+https://github.com/newsingest/newsingest)",
        description="User-Agent sent with every request, with a contact URL.",
    )
    max_per_host: int = Field(2, ge=1, description="Concurrent requests per host.")
    host_delay_s: float = Field(1.0, ge=0, description="Minimum delay between requests to a host.")
    max_in_flight: int = Field(200, ge=1, description="Requests in flight, all hosts.")
    total_timeout_s: float = Field(30.0, gt=0, description="Deadline for one fetch, all hops.")
    connect_timeout_s: float = Field(10.0, gt=0, description="TCP + TLS connect timeout.")
    max_body_bytes: int = Field(5 * 1024 * 1024, gt=0, description="Body cap, decoded.")
    max_redirects: int = Field(5, ge=0, description="Redirects followed, each hop checked.")
    retries: int = Field(3, ge=0, description="Retries of transient failures.")
    retry_backoff_s: float = Field(0.5, ge=0, description="First backoff; doubles, with jitter.")
    retry_after_cap_s: float = Field(30.0, ge=0, description="Cap on a server's Retry-After.")
    robots: bool = Field(True, description="Obey robots.txt.")
    robots_ttl_s: float = Field(86_400.0, gt=0, description="robots.txt cache lifetime.")
    max_crawl_delay_s: float = Field(
        10.0,
        ge=0,
        description="Longest robots.txt Crawl-delay honoured; a longer one is cut to this.",
    )
    ssrf_guard: bool = Field(True, description="Refuse private, loopback and metadata addresses.")
    allow: CommaList = Field(
        default_factory=list,
        description="Exceptions to the SSRF guard: CIDRs or host:port, comma-separated.",
    )

    _split = field_validator("allow", mode="before")(_split_commas)


class EnrichSettings(_Group):
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, description="Process-pool size."
    )
    timeout_s: float = Field(20.0, gt=0, description="Extraction + cleaning + tagging deadline.")
    max_body_chars: int = Field(5_000_000, gt=0, description="Pages longer than this are cut.")


class ApiSettings(_Group):
    host: str = Field("127.0.0.1", description="Bind address of the HTTP API.")
    port: int = Field(8080, ge=0, le=65535, description="Port of the HTTP API; 0 picks one.")
    enabled: bool = Field(True, description="Serve the HTTP API.")
    max_urls_per_request: int = Field(1000, ge=1, description="Cap on one POST /v1/urls.")


class DiscoverSettings(_Group):
    poll_interval_s: float = Field(300.0, gt=0, description="Default poll interval of a source.")
    jitter: float = Field(0.1, ge=0, le=1, description="Poll jitter, fraction of the interval.")
    max_document_bytes: int = Field(
        50 * 1024 * 1024, gt=0, description="Cap on one feed or sitemap, decompressed."
    )


class IncidentsSettings(_Group):
    close_after_days: float = Field(
        10.0, gt=0, description="An incident with no new report for this long closes."
    )
    date_window_days: int = Field(
        1, ge=0, description="Reports whose event dates differ by more never link."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSINGEST_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        frozen=True,
        extra="ignore",
    )

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    topics: TopicSettings = Field(default_factory=TopicSettings)
    runner: RunnerSettings = Field(default_factory=RunnerSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    enrich: EnrichSettings = Field(default_factory=EnrichSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    discover: DiscoverSettings = Field(default_factory=DiscoverSettings)
    incidents: IncidentsSettings = Field(default_factory=IncidentsSettings)
    sources_file: Path | None = Field(None, description="Feeds and sitemaps to poll (TOML/YAML).")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Lowest level logged."
    )
    log_format: Literal["auto", "json", "console"] = Field(
        "auto", description="auto: console on a terminal, JSON lines otherwise."
    )
