"""Every chart value, declared once with its type, default and description.

`generate.py` writes each chart's values.yaml and values.schema.json from these declarations and
the README parameter tables from the schemas. The service facts below come from the code:
components from each bootstrap.py, settings from each settings.py, callers and callees from the
gRPC channels and HTTP clients each service opens (see charts/README.md, "Call graph").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spec_dsl import (
    Group,
    Leaf,
    Node,
    boolean,
    integer,
    number,
    object_list,
    optional_string,
    strict_object,
    string,
    string_list,
    string_map,
)

SERVICES = ("identity", "grid", "tickets", "volunteers", "notifications")
ENV_NAME = "^CIVICGRID_[A-Z0-9_]+$"
K8S_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
QUANTITY = "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$"


@dataclass(frozen=True)
class Sizing:
    replicas: int
    cpu: tuple[str, str]  # request, limit
    memory: tuple[str, str]


@dataclass(frozen=True)
class ServiceFacts:
    name: str
    summary: str
    components: dict[str, Sizing]  # the components this service really runs, in order
    together: Sizing
    callers_http: list[str]  # in-cluster services that dial this service's HTTP port
    callers_grpc: list[str]
    calls_http: list[str]  # services whose HTTP port this one dials
    calls_grpc: list[str]
    settings: dict[str, Leaf]
    secret_keys: dict[str, tuple[str, str]]  # env -> (key in the Secret, description)
    peers: dict[str, str] = field(default_factory=dict)  # value name -> description
    extra_egress: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Node] = field(default_factory=dict)
    startup_failure_threshold: int = 30


# --- common pieces ------------------------------------------------------------------------------

PEER_ITEM = strict_object(
    {
        "cidrs": {"type": "array", "items": {"type": "string"}, "description": "IP blocks"},
        "except": {
            "type": "array",
            "items": {"type": "string"},
            "description": "IP blocks carved out of each of cidrs",
        },
        "namespaceLabels": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "labels of the namespaces (with podLabels: pods in them)",
        },
        "podLabels": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "labels of the pods (alone: in this namespace)",
        },
        "ports": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": 65535},
            "description": "TCP ports; empty: every port",
        },
    }
)


def peer(doc: str, ports: list[int], **selectors: dict[str, str]) -> Group:
    return Group(
        doc,
        {
            "cidrs": string_list(
                [],
                "IP blocks (CIDR) of the servers; with no CIDR and no "
                "labels, any destination on these ports",
            ),
            "namespaceLabels": string_map(
                "labels of the namespace the servers run in (in-cluster servers)",
                selectors.get("namespaceLabels"),
            ),
            "podLabels": string_map("labels of the server pods", selectors.get("podLabels")),
            "ports": Leaf(
                "array",
                ports,
                "TCP ports the servers listen on",
                {"items": {"type": "integer", "minimum": 1, "maximum": 65535}, "minItems": 1},
            ),
        },
    )


def secret_ref(doc: str, key: str) -> Group:
    return Group(
        doc,
        {
            "name": string(
                "", "name of an existing Secret; empty: not used", pattern=f"{K8S_NAME}|^$"
            ),
            "key": string(key, "key in that Secret"),
        },
    )


def global_group() -> Group:
    return Group(
        "Values shared by every CivicGrid chart (the umbrella passes its own to each service).",
        {
            "image": Group(
                "Where the service images come from.",
                {
                    "registry": string("ghcr.io", "registry host (and path prefix) of the images"),
                    "tag": string("", "image tag of every service; empty: the chart's appVersion"),
                    "pullPolicy": string(
                        "IfNotPresent",
                        "image pull policy",
                        enum=["Always", "IfNotPresent", "Never"],
                    ),
                },
            ),
            "imagePullSecrets": string_list([], "names of Secrets for pulling the images"),
            "environment": string(
                "production",
                "CIVICGRID_ENVIRONMENT; outside dev the development secret is refused",
                enum=["dev", "test", "staging", "production"],
            ),
            "ports": Group(
                "Ports every service listens on in its pods (its Services expose http and grpc).",
                {
                    "http": integer(
                        8080,
                        "HTTP (FastAPI, /healthz, /readyz, /metrics)",
                        minimum=1024,
                        maximum=65535,
                    ),
                    "grpc": integer(
                        50051, "gRPC (with grpc.health.v1)", minimum=1024, maximum=65535
                    ),
                    "ops": integer(
                        9464,
                        "CIVICGRID_OPS_PORT: /healthz, /readyz and /metrics of a workload without "
                        "HTTP (grpc, consumers, relay, timers alone), served by the runner",
                        minimum=1024,
                        maximum=65535,
                    ),
                },
            ),
            "tokens": Group(
                "Access tokens: identity signs them, every service verifies them.",
                {
                    "issuer": optional_string(
                        "CIVICGRID_TOKEN_ISSUER; null: the code's default (https://civicgrid.local/identity)"
                    ),
                    "audience": optional_string(
                        "CIVICGRID_TOKEN_AUDIENCE; null: the code's default (civicgrid)"
                    ),
                },
            ),
            "kafka": Group(
                "The Kafka cluster (external: a managed service or Strimzi).",
                {
                    "bootstrap": string(
                        "civicgrid-kafka-bootstrap:9092",
                        "CIVICGRID_KAFKA_BOOTSTRAP: bootstrap servers, host:port[,host:port]",
                        minLength=1,
                    ),
                    "securityProtocol": string(
                        "PLAINTEXT",
                        "CIVICGRID_KAFKA_SECURITY_PROTOCOL",
                        enum=["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"],
                    ),
                    "saslMechanism": string(
                        "",
                        "CIVICGRID_KAFKA_SASL_MECHANISM; empty: no SASL",
                        enum=["", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"],
                    ),
                    "saslUsername": string("", "CIVICGRID_KAFKA_SASL_USERNAME"),
                    "saslPasswordSecret": secret_ref(
                        "CIVICGRID_KAFKA_SASL_PASSWORD from this Secret", "password"
                    ),
                    "caSecret": secret_ref(
                        "CA certificate of the brokers, mounted and named by "
                        "CIVICGRID_KAFKA_SSL_CAFILE (e.g. Strimzi's <cluster>-cluster-ca-cert)",
                        "ca.crt",
                    ),
                    "topicPartitions": integer(
                        3,
                        "CIVICGRID_KAFKA_TOPIC_PARTITIONS: partitions of each topic created",
                        minimum=1,
                    ),
                    "topics": Group(
                        "How topics (and their .dlq topics) are created before install/upgrade.",
                        {
                            "provisioner": string(
                                "job",
                                "job: a hook Job runs `python -m civicgrid_<service> topics`; "
                                "strimzi: KafkaTopic resources from each chart's kafkaTopics; "
                                "none: someone else creates them",
                                enum=["job", "strimzi", "none"],
                            ),
                            "strimziCluster": string(
                                "civicgrid", "the Strimzi Kafka cluster (label strimzi.io/cluster)"
                            ),
                            "replicas": integer(
                                3, "replication factor of KafkaTopic resources", minimum=1
                            ),
                        },
                    ),
                    "egress": peer(
                        "Where pods may reach Kafka (NetworkPolicy egress).", [9092, 9093]
                    ),
                },
            ),
            "postgres": Group(
                "PostgreSQL (external: a managed service or CloudNativePG); the DSNs are in each "
                "service's Secret.",
                {"egress": peer("Where pods may reach PostgreSQL (NetworkPolicy egress).", [5432])},
            ),
            "otlp": Group(
                "The OpenTelemetry collector traces are exported to.",
                {
                    "endpoint": string("", "CIVICGRID_OTLP_ENDPOINT (OTLP gRPC); empty: no export"),
                    "egress": peer(
                        "Where pods may reach the collector (NetworkPolicy egress).", [4317]
                    ),
                },
            ),
            "networkPolicy": Group(
                "NetworkPolicies: each pod accepts only its real callers and reaches only DNS, "
                "Kafka, PostgreSQL, the collector and the services it calls.",
                {
                    "enabled": boolean(True, "render a NetworkPolicy for every workload"),
                    "dns": peer(
                        "The cluster DNS.",
                        [53],
                        namespaceLabels={"kubernetes.io/metadata.name": "kube-system"},
                        podLabels={"k8s-app": "kube-dns"},
                    ),
                    "ingressFrom": object_list(
                        [{"namespaceLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}],
                        "who brings outside traffic to the HTTP ports (the ingress controller)",
                        PEER_ITEM,
                    ),
                    "metricsFrom": object_list(
                        [{"namespaceLabels": {"kubernetes.io/metadata.name": "monitoring"}}],
                        "who scrapes /metrics (Prometheus): the HTTP port of HTTP workloads, the "
                        "ops port of the others; admitted when the chart's serviceMonitor.enabled",
                        PEER_ITEM,
                    ),
                },
            ),
            "tenantBootstrap": Group(
                "The platform tenant: identity's first platform admin and platform service "
                "clients. Districts are then created through identity's API (POST /v1/tenants).",
                {
                    "createPlatformAdmin": boolean(
                        True,
                        "identity's migration Job runs `migrate --bootstrap-admin`: creates the "
                        "platform tenant and its first admin when none exists (password from "
                        "identity's Secret, key bootstrap-admin-password)",
                    ),
                    "platformAdminEmail": string(
                        "platform@civicgrid.org", "CIVICGRID_BOOTSTRAP_ADMIN_EMAIL"
                    ),
                    "serviceClients": boolean(
                        True,
                        "identity ensures CIVICGRID_SERVICE_CLIENTS (JSON, identity's Secret, key "
                        "service-clients) at every start, and notifications uses its client "
                        "(settings.serviceClientId, secret key service-client-secret)",
                    ),
                },
            ),
        },
    )


def _global_copy() -> Leaf:
    schema = global_group().schema()
    extra = {k: v for k, v in schema.items() if k not in ("type", "description")}
    return Leaf("object", {}, "set by Helm (a copy of global); leave it", extra)


def resources(sizing: Sizing) -> Group:
    def pair(doc: str, cpu: str, memory: str) -> Group:
        return Group(
            doc,
            {
                "cpu": string(cpu, "CPU", pattern=QUANTITY),
                "memory": string(memory, "memory", pattern=QUANTITY),
            },
        )

    return Group(
        "Resources of the container (requests and limits are both required).",
        {
            "requests": pair("requests", sizing.cpu[0], sizing.memory[0]),
            "limits": pair("limits", sizing.cpu[1], sizing.memory[1]),
        },
    )


def workload(doc: str, sizing: Sizing, *, consumes: bool, with_enabled: bool) -> Group:
    autoscaling: dict[str, Node] = {
        "enabled": boolean(False, "a HorizontalPodAutoscaler instead of fixed replicas"),
        "minReplicas": integer(max(sizing.replicas, 1), "fewest replicas", minimum=1),
        "maxReplicas": integer(max(sizing.replicas, 1) * 5, "most replicas", minimum=1),
        "targetCPUUtilizationPercentage": integer(
            70, "average CPU (of requests) to keep", minimum=1, maximum=100
        ),
    }
    if consumes:
        autoscaling["consumerLag"] = Group(
            "Scale on consumer lag too: an External metric (e.g. from prometheus-adapter or "
            "KEDA's metrics server fed by a Kafka exporter) selected by the consumer group.",
            {
                "enabled": boolean(False, "add the external lag metric"),
                "metricName": string("kafka_consumergroup_lag", "name of the external metric"),
                "groupLabel": string(
                    "consumergroup", "label of the metric naming the consumer group"
                ),
                "targetAverageValue": string("1000", "lag per replica to keep", pattern=QUANTITY),
            },
        )
    props: dict[str, Node] = {}
    if with_enabled:
        props["enabled"] = boolean(True, "run this component")
    props |= {
        "replicas": integer(sizing.replicas, "replicas when autoscaling is off", minimum=0),
        "resources": resources(sizing),
        "autoscaling": Group("Horizontal pod autoscaling.", autoscaling),
        "pdb": Group(
            "PodDisruptionBudget.",
            {
                "enabled": boolean(True, "render a PodDisruptionBudget"),
                "maxUnavailable": integer(
                    1, "pods a voluntary disruption may take at once", minimum=1
                ),
            },
        ),
    }
    return Group(doc, props)


COMPONENT_DOCS = {
    "http": "the HTTP API (FastAPI); probes: GET /readyz, /healthz; /metrics on the HTTP port",
    "grpc": "the gRPC server; probes: grpc.health.v1; /metrics on the ops port",
    "consumers": "Kafka consumers (inbox-guarded); probes and /metrics on the ops port (ready "
    "while every component runs)",
    "relay": "the outbox relay to Kafka; probes and /metrics on the ops port",
    "timers": "timers and background loops (SKIP LOCKED, safe with many replicas); probes and "
    "/metrics on the ops port",
}


def service_chart(facts: ServiceFacts) -> Group:
    svc = facts.name
    components = Group(
        "The components this service runs (from its bootstrap.py). mode=split: one Deployment "
        "each with these settings; mode=together: the enabled ones in one Deployment.",
        {
            name: workload(
                f"{name}: {COMPONENT_DOCS[name]}.",
                sizing,
                consumes=name == "consumers",
                with_enabled=True,
            )
            for name, sizing in facts.components.items()
        },
    )
    secret_keys = Group(
        "Key in the Secret for each secret setting.",
        {env: string(key, doc) for env, (key, doc) in facts.secret_keys.items()},
    )
    props: dict[str, Node] = {
        "enabled": boolean(True, "install this service (the umbrella chart's condition)"),
        "global": global_group(),
        "civicgrid-lib": Group(
            "Reserved: the library chart's values, which Helm fills with a copy of global.",
            {"global": _global_copy()},
        ),
        "nameOverride": string("", "replaces the chart name in resource names"),
        "fullnameOverride": string("", "replaces <release>-<chart> in resource names"),
        "image": Group(
            "This service's image (the registry and default tag are global).",
            {
                "repository": string(f"civicgrid/{svc}", "repository under global.image.registry"),
                "tag": string("", "tag; empty: global.image.tag, then the chart's appVersion"),
                "digest": string(
                    "", "sha256 digest; wins over the tag", pattern="^(sha256:[a-f0-9]{64})?$"
                ),
            },
        ),
        "mode": string(
            "together",
            "together: one Deployment runs every enabled component (`serve --components "
            "http,grpc,...`); split: one Deployment per component, scaled apart",
            enum=["together", "split"],
        ),
        "components": components,
        "together": workload(
            "The one Deployment of mode=together.",
            facts.together,
            consumes="consumers" in facts.components,
            with_enabled=False,
        ),
        "termination": Group(
            "Graceful stop, matching the runner: on SIGTERM it reports not ready (readiness 503, "
            "gRPC NOT_SERVING) for CIVICGRID_DRAIN_SECONDS, then stops (HTTP allows 10 s for "
            "requests in flight).",
            {
                "drainSeconds": integer(
                    5,
                    "preStop sleep and CIVICGRID_DRAIN_SECONDS: endpoints drop the pod before it "
                    "stops taking work",
                    minimum=1,
                    maximum=120,
                ),
                "stopSeconds": integer(
                    15,
                    "time to finish in-flight work after draining; terminationGracePeriodSeconds "
                    "= 2 x drainSeconds + stopSeconds",
                    minimum=10,
                    maximum=600,
                ),
            },
        ),
        "probes": Group(
            "Probes: GET /healthz, /readyz on the HTTP port when the workload serves HTTP, else "
            "grpc.health.v1 when it serves gRPC, else GET /healthz, /readyz on the ops port.",
            {
                "periodSeconds": integer(10, "probe period", minimum=1),
                "timeoutSeconds": integer(3, "probe timeout", minimum=1),
                "failureThreshold": integer(3, "failures before not ready / restarted", minimum=1),
                "startupFailureThreshold": integer(
                    facts.startup_failure_threshold,
                    "startup probe failures (x periodSeconds) allowed before liveness applies",
                    minimum=1,
                ),
            },
        ),
        "podSecurityContext": Group(
            "Pod identity; the rest of the restricted profile (non-root, no privilege escalation, "
            "no capabilities, RuntimeDefault seccomp, read-only root) is always applied.",
            {
                "runAsUser": integer(10001, "UID (the image's non-root user)", minimum=1),
                "runAsGroup": integer(10001, "GID", minimum=1),
                "fsGroup": integer(10001, "group owning mounted volumes", minimum=1),
            },
        ),
        "settings": Group(
            "Service settings (CIVICGRID_<NAME> in the ConfigMap); null: the code's default.",
            {
                "logLevel": optional_string(
                    "CIVICGRID_LOG_LEVEL (INFO)", enum=["DEBUG", "INFO", "WARNING", "ERROR", None]
                ),
                "databasePoolSize": integer(
                    None, "CIVICGRID_DATABASE_POOL_SIZE (10)", minimum=1, maximum=200
                ),
                **facts.settings,
            },
        ),
        "secrets": Group(
            "Secret settings come from one existing Secret (never from values).",
            {
                "existingSecret": string(
                    "",
                    "name of the Secret; empty: <release>-" + svc + "-secrets",
                    pattern=f"{K8S_NAME}|^$",
                ),
                "keys": secret_keys,
            },
        ),
        "extraEnv": Leaf(
            "object",
            {},
            "more CIVICGRID_* settings, name: value",
            {"propertyNames": {"pattern": ENV_NAME}, "additionalProperties": {"type": "string"}},
        ),
        "extraSecretEnv": Leaf(
            "object",
            {},
            "more CIVICGRID_* settings from Secrets, name: {secretName, key}",
            {
                "propertyNames": {"pattern": ENV_NAME},
                "additionalProperties": strict_object(
                    {"secretName": {"type": "string"}, "key": {"type": "string"}},
                    ["secretName", "key"],
                ),
            },
        ),
    }
    if facts.peers:
        props["peers"] = Group(
            "Addresses of the services this one calls; empty: that chart in this release.",
            {name: string("", doc) for name, doc in facts.peers.items()},
        )
    props |= {
        "networkPolicy": Group(
            "This service's place in the call graph (from the code).",
            {
                "fromIngressController": boolean(
                    True, "the ingress controller may reach the HTTP port"
                ),
                "callers": Group(
                    "Services of this release that may dial this one.",
                    {
                        "http": string_list(
                            facts.callers_http, "callers of the HTTP port", enum=list(SERVICES)
                        ),
                        "grpc": string_list(
                            facts.callers_grpc, "callers of the gRPC port", enum=list(SERVICES)
                        ),
                    },
                ),
                "calls": Group(
                    "Services of this release this one dials (egress).",
                    {
                        "http": string_list(
                            facts.calls_http, "HTTP ports it dials", enum=list(SERVICES)
                        ),
                        "grpc": string_list(
                            facts.calls_grpc, "gRPC ports it dials", enum=list(SERVICES)
                        ),
                    },
                ),
                "extraEgress": object_list(
                    facts.extra_egress, "more destinations (cidrs/except/labels/ports)", PEER_ITEM
                ),
            },
        ),
        "serviceAccount": Group(
            "The pods' ServiceAccount (its token is never mounted).",
            {
                "create": boolean(True, "create it"),
                "name": string("", "its name; empty: <release>-" + svc),
                "annotations": string_map("annotations (e.g. cloud workload identity)"),
            },
        ),
        "podAnnotations": string_map("annotations of every pod"),
        "nodeSelector": string_map("node labels the pods need"),
        "tolerations": object_list(
            [],
            "tolerations of every pod",
            strict_object(
                {
                    "key": {"type": "string"},
                    "operator": {"type": "string", "enum": ["Exists", "Equal"]},
                    "value": {"type": "string"},
                    "effect": {
                        "type": "string",
                        "enum": ["NoSchedule", "PreferNoSchedule", "NoExecute"],
                    },
                    "tolerationSeconds": {"type": "integer"},
                }
            ),
        ),
        "priorityClassName": string("", "priority class of the pods"),
        "spreadAcrossNodes": boolean(
            True, "spread each Deployment's pods across nodes and zones (best effort)"
        ),
        "serviceMonitor": Group(
            "Prometheus Operator monitors: a ServiceMonitor for /metrics on the HTTP Service and "
            "a PodMonitor (<release>-<service>-ops) for /metrics on the ops port of the other "
            "workloads; the NetworkPolicies admit global.networkPolicy.metricsFrom to both.",
            {
                "enabled": boolean(False, "render them (needs the monitoring.coreos.com CRDs)"),
                "interval": string("30s", "scrape interval"),
                "labels": string_map("labels your Prometheus selects ServiceMonitors by"),
            },
        ),
        "ingress": Group(
            "An Ingress for the HTTP API. The API serves at /, so strip the path prefix (e.g. "
            "ingress-nginx: rewrite-target annotation) and send X-Forwarded-Prefix.",
            {
                "enabled": boolean(False, "render it"),
                "className": string("", "IngressClass"),
                "annotations": string_map("annotations (rewrite, TLS issuer ...)"),
                "host": string("", "host name; empty: any"),
                "path": string(f"/api/{svc}", "path (prefix)"),
                "pathType": string(
                    "Prefix", "path type", enum=["Prefix", "Exact", "ImplementationSpecific"]
                ),
                "tlsSecret": string("", "TLS Secret for host; empty: no TLS section"),
            },
        ),
        "migrations": Group(
            "`python -m civicgrid_" + svc + " migrate` as a pre-install/pre-upgrade hook Job "
            "(idempotent; uses the owner DSN, which no long-running pod gets).",
            {
                "enabled": boolean(True, "run the migration Job"),
                "backoffLimit": integer(2, "retries of the Job", minimum=0),
                "activeDeadlineSeconds": integer(900, "the Job's time limit", minimum=60),
                "resources": resources(Sizing(1, ("100m", "1"), ("256Mi", "512Mi"))),
            },
        ),
        "kafkaTopics": object_list(
            [{"name": f"civicgrid.{svc}.v1", "partitions": None, "retentionMs": None}],
            "topics this service owns, as its code declares them (each also gets <name>.dlq); "
            "used for Strimzi KafkaTopic resources; the Job reads them from the code",
            strict_object(
                {
                    "name": {"type": "string", "description": "topic name"},
                    "partitions": {
                        "type": ["integer", "null"],
                        "minimum": 1,
                        "description": "null: global.kafka.topicPartitions",
                    },
                    "retentionMs": {
                        "type": ["integer", "null"],
                        "minimum": -1,
                        "description": "null: the broker's default",
                    },
                },
                ["name"],
            ),
        ),
    }
    props |= facts.extra
    return Group(f"Values of the {svc} chart: {facts.summary}", props)


# --- the five services --------------------------------------------------------------------------

API = Sizing(2, ("100m", "1"), ("256Mi", "512Mi"))
WORKER = Sizing(1, ("50m", "500m"), ("192Mi", "384Mi"))
TOGETHER = Sizing(2, ("250m", "2"), ("384Mi", "768Mi"))
PLATFORM_SECRETS = {
    "CIVICGRID_DATABASE_URL": ("database-url", "runtime DSN (a role that does not own the tables)"),
    "CIVICGRID_DATABASE_MIGRATE_URL": (
        "database-migrate-url",
        "owner DSN; only the migration Job gets it",
    ),
    "CIVICGRID_SECRET_KEY": ("secret-key", "service secret, at least 32 characters outside dev"),
}
PRIVATE_RANGES = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "100.64.0.0/10",
]

FACTS = {
    "identity": ServiceFacts(
        name="identity",
        summary="districts, people, credentials, roles, tokens and JWKS.",
        components={
            "http": API,
            "grpc": API,
            "consumers": WORKER,
            "relay": WORKER,
            "timers": WORKER,
        },
        together=TOGETHER,
        # Every service verifies tokens with identity's JWKS (identity too, from its gRPC pods);
        # tickets (Open311 keys) and notifications (its client) use the token endpoint.
        callers_http=["grid", "identity", "notifications", "tickets", "volunteers"],
        callers_grpc=["notifications"],
        calls_http=["identity"],
        calls_grpc=[],
        settings={
            "accessTokenMinutes": integer(
                None, "CIVICGRID_ACCESS_TOKEN_MINUTES (15)", minimum=1, maximum=60
            ),
            "refreshTokenDays": integer(
                None, "CIVICGRID_REFRESH_TOKEN_DAYS (30)", minimum=1, maximum=365
            ),
            "keyRotationDays": integer(None, "CIVICGRID_KEY_ROTATION_DAYS (30)", minimum=1),
            "keyCacheSeconds": number(None, "CIVICGRID_KEY_CACHE_SECONDS (30)", minimum=0),
            "trustedProxyHosts": Leaf(
                ("array", "null"),
                None,
                "CIVICGRID_TRUSTED_PROXY_HOSTS: peers whose X-Forwarded-For is believed "
                "(the ingress)",
                {"items": {"type": "string"}},
            ),
        },
        secret_keys={
            **PLATFORM_SECRETS,
            "CIVICGRID_BOOTSTRAP_ADMIN_PASSWORD": (
                "bootstrap-admin-password",
                "the first platform admin's password (migration Job, global.tenantBootstrap)",
            ),
            "CIVICGRID_SERVICE_CLIENTS": (
                "service-clients",
                'JSON list of {"client_id", "secret", "scopes"} (global.tenantBootstrap)',
            ),
        },
        peers={"identityHttp": "identity's HTTP base URL, for the JWKS (http://host:port)"},
    ),
    "grid": ServiceFacts(
        name="grid",
        summary="the hierarchy, grid polygons, point resolution, departments and routing.",
        # consumers and timers are accepted by grid's command line but build nothing.
        components={
            "http": Sizing(2, ("100m", "1"), ("512Mi", "1Gi")),
            "grpc": Sizing(2, ("250m", "1"), ("512Mi", "1Gi")),
            "relay": WORKER,
        },
        together=Sizing(2, ("250m", "2"), ("768Mi", "1536Mi")),
        callers_http=[],
        callers_grpc=["tickets"],
        calls_http=["identity"],
        calls_grpc=[],
        settings={
            "maxImportBytes": integer(None, "CIVICGRID_MAX_IMPORT_BYTES (512 MiB)", minimum=1024),
            "boundaryWarningM": number(
                None, "CIVICGRID_BOUNDARY_WARNING_M (30)", exclusiveMinimum=0, maximum=1000
            ),
        },
        secret_keys=dict(PLATFORM_SECRETS),
        peers={"identityHttp": "identity's HTTP base URL, for the JWKS (http://host:port)"},
        # gRPC opens and /readyz turns ready only once every district's index is built.
        startup_failure_threshold=60,
    ),
    "tickets": ServiceFacts(
        name="tickets",
        summary="reports, routing, lifecycle, SLA escalation, meetings, evaluation, Open311.",
        components={
            "http": API,
            "grpc": API,
            "consumers": WORKER,
            "relay": WORKER,
            "timers": WORKER,
        },
        together=TOGETHER,
        callers_http=[],
        callers_grpc=[],
        calls_http=["identity"],
        calls_grpc=["grid"],
        settings={
            "boundaryWarningM": number(
                None, "CIVICGRID_BOUNDARY_WARNING_M (30)", exclusiveMinimum=0, maximum=1000
            ),
            "duplicateRadiusM": number(
                None, "CIVICGRID_DUPLICATE_RADIUS_M (100)", exclusiveMinimum=0, maximum=5000
            ),
            "duplicateWindowHours": integer(
                None, "CIVICGRID_DUPLICATE_WINDOW_HOURS (72)", minimum=1, maximum=2160
            ),
            "rulesRefreshSeconds": number(
                None, "CIVICGRID_RULES_REFRESH_SECONDS (5)", minimum=0, maximum=300
            ),
        },
        secret_keys=dict(PLATFORM_SECRETS),
        peers={
            "identityHttp": "identity's HTTP base URL: JWKS and Open311 key exchange "
            "(CIVICGRID_IDENTITY_URL)",
            "gridGrpc": "grid's gRPC target (CIVICGRID_GRID_GRPC_TARGET): host:port or "
            "dns:///host:port; empty: dns:/// + this release's grid headless gRPC Service",
        },
        extra={
            "blobs": Group(
                "Photos (CIVICGRID_BLOB_DIR, mounted at /var/lib/civicgrid/blobs). Every HTTP "
                "replica needs the same files: use a ReadWriteMany claim.",
                {
                    "existingClaim": string(
                        "", "PersistentVolumeClaim; empty: an emptyDir (photos die with the pod)"
                    ),
                    "sizeLimit": string("1Gi", "size limit of the emptyDir", pattern=QUANTITY),
                },
            )
        },
    ),
    "volunteers": ServiceFacts(
        name="volunteers",
        summary="volunteers, tasks, offers, hours, ratings and the tool-lending station.",
        components={
            "http": API,
            "grpc": API,
            "consumers": WORKER,
            "relay": WORKER,
            "timers": WORKER,
        },
        together=TOGETHER,
        callers_http=[],
        callers_grpc=["notifications"],
        calls_http=["identity"],
        calls_grpc=[],
        settings={
            "defaultTimezone": optional_string("CIVICGRID_DEFAULT_TIMEZONE (Asia/Shanghai)"),
            "timersIntervalSeconds": number(
                None, "CIVICGRID_TIMERS_INTERVAL_SECONDS (5)", exclusiveMinimum=0, maximum=3600
            ),
        },
        secret_keys=dict(PLATFORM_SECRETS),
        peers={"identityHttp": "identity's HTTP base URL, for the JWKS (http://host:port)"},
    ),
    "notifications": ServiceFacts(
        name="notifications",
        summary="messages on every channel, the emergency-alert chain, signed webhooks.",
        components={
            "http": API,
            "grpc": API,
            "consumers": WORKER,
            "relay": WORKER,
            "timers": WORKER,
        },
        together=TOGETHER,
        callers_http=[],
        callers_grpc=[],
        calls_http=["identity"],
        calls_grpc=["identity", "volunteers"],
        settings={
            "serviceClientId": optional_string(
                "CIVICGRID_SERVICE_CLIENT_ID: this service's client at identity; null: "
                "civicgrid-notifications when global.tenantBootstrap.serviceClients, else none"
            ),
            "defaultTimezone": optional_string("CIVICGRID_DEFAULT_TIMEZONE (Asia/Shanghai)"),
            "defaultLocale": optional_string("CIVICGRID_DEFAULT_LOCALE (zh-CN)"),
            "publicUrl": optional_string(
                "CIVICGRID_PUBLIC_URL: this service as SMS/voice providers reach it"
            ),
            "smtpHost": optional_string("CIVICGRID_SMTP_HOST (127.0.0.1)"),
            "smtpPort": integer(None, "CIVICGRID_SMTP_PORT (25)", minimum=1, maximum=65535),
            "smtpStarttls": boolean(None, "CIVICGRID_SMTP_STARTTLS (false)"),
            "smtpUsername": optional_string("CIVICGRID_SMTP_USERNAME"),
            "mailFrom": optional_string("CIVICGRID_MAIL_FROM"),
            "smsProviders": Leaf(
                ("array", "null"),
                None,
                "CIVICGRID_SMS_PROVIDERS: provider base URLs, in order",
                {"items": {"type": "string"}},
            ),
            "voiceProviders": Leaf(
                ("array", "null"),
                None,
                "CIVICGRID_VOICE_PROVIDERS: provider base URLs, in order",
                {"items": {"type": "string"}},
            ),
            "providerTimeoutSeconds": number(
                None, "CIVICGRID_PROVIDER_TIMEOUT_SECONDS (5)", exclusiveMinimum=0, maximum=60
            ),
            "deliveryMaxAttempts": integer(
                None, "CIVICGRID_DELIVERY_MAX_ATTEMPTS (6)", minimum=1, maximum=50
            ),
            "retryBaseSeconds": number(
                None, "CIVICGRID_RETRY_BASE_SECONDS (5)", exclusiveMinimum=0, maximum=3600
            ),
            "retryMaxSeconds": number(
                None, "CIVICGRID_RETRY_MAX_SECONDS (1800)", exclusiveMinimum=0, maximum=86400
            ),
            "webhookDispatchLoops": integer(
                None, "CIVICGRID_WEBHOOK_DISPATCH_LOOPS (2)", minimum=1, maximum=16
            ),
            "webhookConcurrency": integer(
                None, "CIVICGRID_WEBHOOK_CONCURRENCY (64)", minimum=1, maximum=1024
            ),
            "webhookTimeoutSeconds": number(
                None, "CIVICGRID_WEBHOOK_TIMEOUT_SECONDS (10)", exclusiveMinimum=0, maximum=60
            ),
            "timersIntervalSeconds": number(
                None, "CIVICGRID_TIMERS_INTERVAL_SECONDS (1)", exclusiveMinimum=0, maximum=3600
            ),
            "consumerMaxBatch": integer(
                None,
                "CIVICGRID_CONSUMER_MAX_BATCH (2000): events applied in one transaction",
                minimum=1,
                maximum=10_000,
            ),
            "retentionDeliveriesDays": integer(
                None,
                "CIVICGRID_RETENTION_DELIVERIES_DAYS (90): days a finished delivery is kept",
                minimum=14,
                maximum=3650,
            ),
            "retentionReadInboxDays": integer(
                None,
                "CIVICGRID_RETENTION_READ_INBOX_DAYS (180): days a read in-app message is kept",
                minimum=14,
                maximum=3650,
            ),
            "retentionWebhookMessagesDays": integer(
                None,
                "CIVICGRID_RETENTION_WEBHOOK_MESSAGES_DAYS (30): days a finished webhook "
                "message is kept",
                minimum=14,
                maximum=3650,
            ),
            "retentionBatchSize": integer(
                None,
                "CIVICGRID_RETENTION_BATCH_SIZE (5000): rows deleted per statement",
                minimum=100,
                maximum=50_000,
            ),
        },
        secret_keys={
            **PLATFORM_SECRETS,
            "CIVICGRID_SERVICE_CLIENT_SECRET": (
                "service-client-secret",
                "this service's client secret at identity",
            ),
            "CIVICGRID_SMTP_PASSWORD": ("smtp-password", "SMTP password (optional key)"),
            "CIVICGRID_PROVIDER_TOKEN": (
                "provider-token",
                "bearer token both ways with SMS/voice providers (optional key)",
            ),
        },
        peers={
            "identityHttp": "identity's HTTP base URL: JWKS and token endpoint "
            "(CIVICGRID_IDENTITY_URL)",
            "identityGrpc": "identity's gRPC target (CIVICGRID_IDENTITY_GRPC_TARGET): host:port "
            "or dns:///host:port; empty: dns:/// + this release's identity headless gRPC Service",
            "volunteersGrpc": "volunteers' gRPC target (CIVICGRID_VOLUNTEERS_GRPC_TARGET); empty: "
            "dns:/// + this release's volunteers headless gRPC Service",
        },
        # Webhooks go to integrators' public endpoints, mail to SMTP, SMS/voice to providers:
        # anywhere public, nothing private (the code refuses private targets too).
        extra_egress=[{"cidrs": ["0.0.0.0/0"], "except": PRIVATE_RANGES, "ports": []}],
    ),
}


def umbrella_chart() -> Group:
    props: dict[str, Node] = {"global": global_group()}
    for svc in SERVICES:
        chart = service_chart(FACTS[svc])
        props[svc] = Group(
            f"The {svc} chart's values (enabled: install it).",
            chart.props,
            {"x-civicgrid-see": f"../{svc}/README.md#parameters"},
        )
    return Group("Values of the civicgrid umbrella chart.", props)


def charts() -> dict[str, Group]:
    """Chart directory name -> its values declaration."""
    return {"civicgrid": umbrella_chart(), **{svc: service_chart(FACTS[svc]) for svc in SERVICES}}
