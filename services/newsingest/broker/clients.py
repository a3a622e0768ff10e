"""Kafka clients built from settings: one place for security, acks, idempotence, compression."""

from __future__ import annotations

import ssl
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.helpers import create_ssl_context

from newsingest.config import KafkaSettings


def connection_options(kafka: KafkaSettings, bootstrap_servers: str) -> dict[str, Any]:
    """Options every client shares: where the brokers are and how to authenticate."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap_servers,
        "security_protocol": kafka.security_protocol,
        "request_timeout_ms": kafka.request_timeout_ms,
    }
    if kafka.security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = _ssl_context(kafka)
    if kafka.security_protocol.startswith("SASL"):
        options["sasl_mechanism"] = kafka.sasl_mechanism or "PLAIN"
        options["sasl_plain_username"] = kafka.sasl_username
        options["sasl_plain_password"] = (
            kafka.sasl_password.get_secret_value() if kafka.sasl_password else None
        )
    return options


def _ssl_context(kafka: KafkaSettings) -> ssl.SSLContext:
    context: ssl.SSLContext = create_ssl_context(
        cafile=str(kafka.ssl_cafile) if kafka.ssl_cafile else None,
        certfile=str(kafka.ssl_certfile) if kafka.ssl_certfile else None,
        keyfile=str(kafka.ssl_keyfile) if kafka.ssl_keyfile else None,
    )
    return context


def make_producer(
    kafka: KafkaSettings, bootstrap_servers: str, *, idempotence: bool, client_id: str
) -> AIOKafkaProducer:
    """acks=all always; idempotence as resolved for this cluster; compression on."""
    return AIOKafkaProducer(
        **connection_options(kafka, bootstrap_servers),
        client_id=client_id,
        acks="all",
        enable_idempotence=idempotence,
        compression_type=None if kafka.compression == "none" else kafka.compression,
        linger_ms=kafka.linger_ms,
        max_batch_size=kafka.max_batch_bytes,
        max_request_size=kafka.max_request_bytes,
    )


def make_consumer(
    kafka: KafkaSettings,
    bootstrap_servers: str,
    *,
    group_id: str | None,
    client_id: str,
    session_timeout_ms: int,
    fetch_max_wait_ms: int,
    auto_offset_reset: str = "earliest",
    group_instance_id: str | None = None,
    fetch_max_bytes: int | None = None,
) -> AIOKafkaConsumer:
    """Manual commits only: the runner commits explicit offsets. ``fetch_max_bytes``
    caps one fetch (and each partition's share) below the settings' values."""
    options: dict[str, Any] = {}
    if group_instance_id:
        options["group_instance_id"] = group_instance_id
    return AIOKafkaConsumer(
        **connection_options(kafka, bootstrap_servers),
        client_id=client_id,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset=auto_offset_reset,
        session_timeout_ms=session_timeout_ms,
        heartbeat_interval_ms=min(3000, session_timeout_ms // 3),
        max_poll_interval_ms=kafka.max_poll_interval_ms,
        fetch_max_wait_ms=fetch_max_wait_ms,
        fetch_max_bytes=min(kafka.fetch_max_bytes, fetch_max_bytes or kafka.fetch_max_bytes),
        max_partition_fetch_bytes=min(
            kafka.max_partition_fetch_bytes, fetch_max_bytes or kafka.max_partition_fetch_bytes
        ),
        **options,
    )
