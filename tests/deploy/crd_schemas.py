"""JSON Schemas for the custom resources we render, written from their CRDs.

kubernetes-validate knows only the built-in kinds. These cover the fields of
Strimzi's KafkaTopic, the Prometheus Operator's ServiceMonitor and
PrometheusRule, and KEDA's ScaledObject and TriggerAuthentication that a
manifest may set, and refuse unknown ones, so a misspelt field fails here
rather than being dropped by the API server.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def _object(properties: Schema, required: tuple[str, ...] = ()) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


_STRING = {"type": "string"}
_STRINGS = {"type": "array", "items": _STRING}
_STRING_MAP = {"type": "object", "additionalProperties": _STRING}
_DURATION = {"type": "string", "pattern": r"^(0|(([0-9]+)(ms|s|m|h|d|w|y))+)$"}
_ANY_OBJECT = {"type": "object"}

_LABEL_SELECTOR = _object(
    {
        "matchLabels": _STRING_MAP,
        "matchExpressions": {"type": "array", "items": _ANY_OBJECT},
    }
)

_KAFKA_TOPIC = _object(
    {
        "topicName": _STRING,
        "partitions": {"type": "integer", "minimum": 1},
        "replicas": {"type": "integer", "minimum": 1, "maximum": 32767},
        "config": {
            "type": "object",
            "additionalProperties": {"type": ["string", "integer", "number", "boolean"]},
        },
    },
    ("partitions", "replicas"),
)

_ENDPOINT = _object(
    {
        "port": _STRING,
        "targetPort": {"type": ["string", "integer"]},
        "path": _STRING,
        "scheme": {"enum": ["http", "https"]},
        "interval": _DURATION,
        "scrapeTimeout": _DURATION,
        "honorLabels": {"type": "boolean"},
        "honorTimestamps": {"type": "boolean"},
        "params": _ANY_OBJECT,
        "relabelings": {"type": "array", "items": _ANY_OBJECT},
        "metricRelabelings": {"type": "array", "items": _ANY_OBJECT},
        "tlsConfig": _ANY_OBJECT,
        "authorization": _ANY_OBJECT,
        "basicAuth": _ANY_OBJECT,
        "followRedirects": {"type": "boolean"},
        "enableHttp2": {"type": "boolean"},
        "filterRunning": {"type": "boolean"},
    }
)

_SERVICE_MONITOR = _object(
    {
        "jobLabel": _STRING,
        "targetLabels": _STRINGS,
        "podTargetLabels": _STRINGS,
        "endpoints": {"type": "array", "items": _ENDPOINT, "minItems": 1},
        "selector": _LABEL_SELECTOR,
        "namespaceSelector": _object({"any": {"type": "boolean"}, "matchNames": _STRINGS}),
        "sampleLimit": {"type": "integer", "minimum": 0},
        "targetLimit": {"type": "integer", "minimum": 0},
    },
    ("endpoints", "selector"),
)

_RULE = {
    "type": "object",
    "properties": {
        "alert": _STRING,
        "record": _STRING,
        "expr": {"type": ["string", "integer"]},
        "for": _DURATION,
        "keep_firing_for": _DURATION,
        "labels": _STRING_MAP,
        "annotations": _STRING_MAP,
    },
    "required": ["expr"],
    "additionalProperties": False,
    "oneOf": [{"required": ["alert"]}, {"required": ["record"]}],
}

_PROMETHEUS_RULE = _object(
    {
        "groups": {
            "type": "array",
            "items": _object(
                {
                    "name": _STRING,
                    "interval": _DURATION,
                    "limit": {"type": "integer"},
                    "partial_response_strategy": _STRING,
                    "rules": {"type": "array", "items": _RULE},
                },
                ("name", "rules"),
            ),
        }
    },
    ("groups",),
)

_SCALED_OBJECT = _object(
    {
        "scaleTargetRef": _object(
            {
                "name": _STRING,
                "kind": _STRING,
                "apiVersion": _STRING,
                "envSourceContainerName": _STRING,
            },
            ("name",),
        ),
        "pollingInterval": {"type": "integer", "minimum": 1},
        "cooldownPeriod": {"type": "integer", "minimum": 0},
        "initialCooldownPeriod": {"type": "integer", "minimum": 0},
        "idleReplicaCount": {"type": "integer", "minimum": 0},
        "minReplicaCount": {"type": "integer", "minimum": 0},
        "maxReplicaCount": {"type": "integer", "minimum": 1},
        "advanced": _object(
            {
                "restoreToOriginalReplicaCount": {"type": "boolean"},
                "horizontalPodAutoscalerConfig": _object(
                    {"name": _STRING, "behavior": _ANY_OBJECT}
                ),
                "scalingModifiers": _ANY_OBJECT,
            }
        ),
        "fallback": _ANY_OBJECT,
        "triggers": {
            "type": "array",
            "minItems": 1,
            "items": _object(
                {
                    "type": _STRING,
                    "name": _STRING,
                    "useCachedMetrics": {"type": "boolean"},
                    "metricType": {"enum": ["AverageValue", "Value", "Utilization"]},
                    # KEDA reads trigger metadata as a map of strings.
                    "metadata": _STRING_MAP,
                    "authenticationRef": _object({"name": _STRING, "kind": _STRING}, ("name",)),
                },
                ("type", "metadata"),
            ),
        },
    },
    ("scaleTargetRef", "triggers"),
)

_TRIGGER_AUTHENTICATION = _object(
    {
        "secretTargetRef": {
            "type": "array",
            "items": _object(
                {"parameter": _STRING, "name": _STRING, "key": _STRING},
                ("parameter", "name", "key"),
            ),
        },
        "env": {"type": "array", "items": _ANY_OBJECT},
        "podIdentity": _ANY_OBJECT,
        "hashiCorpVault": _ANY_OBJECT,
    }
)


def _resource(api_version: str, kind: str, spec: Schema) -> Schema:
    return {
        "type": "object",
        "properties": {
            "apiVersion": {"const": api_version},
            "kind": {"const": kind},
            "metadata": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"},
                    "namespace": _STRING,
                    "labels": _STRING_MAP,
                    "annotations": _STRING_MAP,
                },
                "required": ["name"],
            },
            "spec": spec,
        },
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
    }


CRD_SCHEMAS: dict[str, Schema] = {
    "KafkaTopic": _resource("kafka.strimzi.io/v1beta2", "KafkaTopic", _KAFKA_TOPIC),
    "ServiceMonitor": _resource("monitoring.coreos.com/v1", "ServiceMonitor", _SERVICE_MONITOR),
    "PrometheusRule": _resource("monitoring.coreos.com/v1", "PrometheusRule", _PROMETHEUS_RULE),
    "ScaledObject": _resource("keda.sh/v1alpha1", "ScaledObject", _SCALED_OBJECT),
    "TriggerAuthentication": _resource(
        "keda.sh/v1alpha1", "TriggerAuthentication", _TRIGGER_AUTHENTICATION
    ),
}
