"""Every component Deployment of the everything-split example: restricted security context,
resources, probes that fit its ports (the runner's ops port where there is no HTTP), graceful
termination matching the runner's drain, a PDB, a NetworkPolicy naming exactly the callers the
code has (and the scraper), the HPA the example asks for, metrics scraped from every pod, and gRPC
peers dialled through headless Services."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import chartkit
import pytest
from chartkit import Rendered, by_kind

SERVICES_DIR = chartkit.ROOT / "services"

# Who dials whom, read from the code: notifications opens gRPC channels to identity and
# volunteers (adapters/identity_directory.py, volunteers_finder.py) and takes tokens at identity's
# HTTP token endpoint; tickets dials grid's gRPC (adapters/grid_registry.py) and exchanges Open311
# keys at identity over HTTP (api/open311_keys.py); every service verifies tokens with identity's
# JWKS over HTTP (composition.token_verifier), identity's gRPC pods included.
CALLERS: dict[str, dict[str, set[str]]] = {
    "identity": {
        "http": {"grid", "identity", "notifications", "tickets", "volunteers"},
        "grpc": {"notifications"},
    },
    "grid": {"http": set(), "grpc": {"tickets"}},
    "tickets": {"http": set(), "grpc": set()},
    "volunteers": {"http": set(), "grpc": {"notifications"}},
    "notifications": {"http": set(), "grpc": set()},
}
CALLS: dict[str, dict[str, set[str]]] = {svc: {"http": set(), "grpc": set()} for svc in CALLERS}
for callee, protocols in CALLERS.items():
    for protocol, callers in protocols.items():
        for caller in callers:
            CALLS[caller][protocol].add(callee)

# The example's HPAs (charts/civicgrid/ci/everything-split.yaml).
AUTOSCALED: dict[str, set[str]] = {
    "identity": {"http", "grpc", "consumers"},
    "grid": {"http", "grpc"},
    "tickets": {"http", "consumers"},
    "volunteers": {"http", "grpc", "consumers"},
    "notifications": {"http", "consumers", "timers"},
}
HTTP_PORT, GRPC_PORT, OPS_PORT = 8080, 50051, 9464


def components_in_code(service: str) -> set[str]:
    """The components bootstrap.py builds: each `"<name>" in names`."""
    source = (SERVICES_DIR / service / "src" / f"civicgrid_{service}" / "bootstrap.py").read_text()
    return set(re.findall(r'"(http|grpc|consumers|relay|timers)" in names', source))


def deployments(docs: Rendered, service: str) -> dict[str, dict[str, Any]]:
    return {
        d["metadata"]["labels"]["app.kubernetes.io/component"]: d
        for d in by_kind(docs, "Deployment").values()
        if d["metadata"]["labels"]["civicgrid.org/service"] == service
    }


def config(docs: Rendered, service: str) -> dict[str, str]:
    return by_kind(docs, "ConfigMap")[f"civicgrid-{service}-config"]["data"]


@pytest.mark.parametrize("service", chartkit.SERVICES)
def test_charts_split_runs_each_component_of_the_code_alone(
    split_docs: Rendered, service: str
) -> None:
    found = deployments(split_docs, service)
    assert set(found) == components_in_code(service)
    for component, deployment in found.items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["command"] == ["python", "-m", f"civicgrid_{service}"]
        assert container["args"] == ["serve", "--components", component]


@pytest.mark.parametrize("service", chartkit.SERVICES)
def test_charts_split_pods_are_restricted(split_docs: Rendered, service: str) -> None:
    for deployment in deployments(split_docs, service).values():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        (container,) = pod["containers"]
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"] == {"drop": ["ALL"]}
        assert security["runAsNonRoot"] is True
        assert security["seccompProfile"] == {"type": "RuntimeDefault"}
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert "emptyDir" in volumes[mounts["/tmp"]]  # noqa: S108 (a mount path)
        for kind in ("requests", "limits"):
            assert set(container["resources"][kind]) == {"cpu", "memory"}
        env = {e["name"]: e for e in container["env"]}
        for secret in ("CIVICGRID_DATABASE_URL", "CIVICGRID_SECRET_KEY"):
            assert "secretKeyRef" in env[secret]["valueFrom"]
        assert "CIVICGRID_DATABASE_MIGRATE_URL" not in env  # the owner DSN is the Job's alone


@pytest.mark.parametrize("service", chartkit.SERVICES)
def test_charts_split_probes_match_ports(split_docs: Rendered, service: str) -> None:
    for component, deployment in deployments(split_docs, service).items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        env = config(split_docs, service)
        if component == "http":
            assert ports == {"http": HTTP_PORT}
            assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
            assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
            assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        elif component == "grpc":
            # Probed through grpc.health.v1 (grid's warm indexes, NOT_SERVING while draining);
            # the ops port is there for /metrics.
            assert ports == {"grpc": GRPC_PORT, "ops": OPS_PORT}
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                assert container[probe]["grpc"] == {"port": GRPC_PORT}
        else:  # consumers, relay, timers: the runner's ops endpoint
            assert ports == {"ops": OPS_PORT}
            assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "ops"}
            assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "ops"}
            assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "ops"}
        # The runner serves the ops endpoint on this port when the process runs no http.
        assert env["CIVICGRID_OPS_PORT"] == str(OPS_PORT)


@pytest.mark.parametrize("service", chartkit.SERVICES)
def test_charts_split_termination_matches_the_drain(split_docs: Rendered, service: str) -> None:
    drain = int(config(split_docs, service)["CIVICGRID_DRAIN_SECONDS"])
    for deployment in deployments(split_docs, service).values():
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["lifecycle"]["preStop"] == {"sleep": {"seconds": drain}}
        # preStop, then the runner's drain, then uvicorn's 10 s for requests in flight.
        assert pod["terminationGracePeriodSeconds"] >= drain + drain + 10


@pytest.mark.parametrize("service", chartkit.SERVICES)
def test_charts_split_every_component_has_a_pdb(split_docs: Rendered, service: str) -> None:
    pdbs = by_kind(split_docs, "PodDisruptionBudget")
    for deployment in deployments(split_docs, service).values():
        pdb = pdbs[deployment["metadata"]["name"]]
        assert pdb["spec"]["maxUnavailable"] == 1
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()


def _ingress_callers(policy: dict[str, Any]) -> dict[str, set[str]]:
    """port name -> callers: service names, "ingress-controller", "prometheus"."""
    found: dict[str, set[str]] = {}
    for rule in policy["spec"]["ingress"]:
        (port,) = rule["ports"]
        callers = found.setdefault(port["port"], set())
        for peer in rule["from"]:
            if "podSelector" in peer and "matchExpressions" in peer["podSelector"]:
                assert peer["podSelector"]["matchLabels"] == {
                    "app.kubernetes.io/part-of": "civicgrid"
                }
                (expression,) = peer["podSelector"]["matchExpressions"]
                assert expression["key"] == "civicgrid.org/service"
                callers.update(expression["values"])
            else:
                namespace = peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                callers.add(
                    {"ingress-nginx": "ingress-controller", "monitoring": "prometheus"}[namespace]
                )
    return found


def _egress(policy: dict[str, Any]) -> tuple[set[tuple[int, str]], dict[str, set[str]]]:
    """(every (port, protocol) allowed, {"http"/"grpc": services dialled})."""
    ports: set[tuple[int, str]] = set()
    services: dict[str, set[str]] = {"http": set(), "grpc": set()}
    for rule in policy["spec"]["egress"]:
        rule_ports = {(p["port"], p["protocol"]) for p in rule.get("ports", [])}
        ports |= rule_ports
        for peer in rule.get("to", []):
            labels = peer.get("podSelector", {}).get("matchLabels", {})
            if "civicgrid.org/service" in labels:
                ((port, _),) = rule_ports
                services["http" if port == HTTP_PORT else "grpc"].add(
                    labels["civicgrid.org/service"]
                )
    return ports, services


@pytest.mark.parametrize("service", chartkit.SERVICES)
def test_charts_split_network_policies_name_exactly_the_real_callers(
    split_docs: Rendered, service: str
) -> None:
    policies = by_kind(split_docs, "NetworkPolicy")
    for component, deployment in deployments(split_docs, service).items():
        policy = policies[deployment["metadata"]["name"]]
        assert policy["spec"]["podSelector"]["matchLabels"].items() <= (
            deployment["spec"]["template"]["metadata"]["labels"].items()
        )
        assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
        expected: dict[str, set[str]] = {}
        if component == "http":
            # The example scrapes /metrics (serviceMonitor.enabled), so Prometheus may too.
            expected["http"] = CALLERS[service]["http"] | {"ingress-controller", "prometheus"}
        else:  # its /metrics is on the ops port
            expected["ops"] = {"prometheus"}
        if component == "grpc" and CALLERS[service]["grpc"]:
            expected["grpc"] = CALLERS[service]["grpc"]
        assert _ingress_callers(policy) == expected, component
        ports, dialled = _egress(policy)
        assert {(53, "UDP"), (53, "TCP"), (9092, "TCP"), (5432, "TCP"), (4317, "TCP")} <= ports
        assert dialled == CALLS[service], component


@pytest.mark.parametrize("service", chartkit.SERVICES)
def test_charts_split_autoscalers(split_docs: Rendered, service: str) -> None:
    hpas = by_kind(split_docs, "HorizontalPodAutoscaler")
    for component, deployment in deployments(split_docs, service).items():
        name = deployment["metadata"]["name"]
        if component not in AUTOSCALED[service]:
            assert name not in hpas
            assert deployment["spec"]["replicas"] >= 1
            continue
        hpa = hpas[name]
        assert "replicas" not in deployment["spec"]  # the HPA owns it
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        metrics = {m["type"]: m for m in hpa["spec"]["metrics"]}
        assert metrics["Resource"]["resource"]["name"] == "cpu"
        if component == "consumers":
            external = metrics["External"]["external"]
            assert external["metric"]["selector"]["matchLabels"] == {
                "consumergroup": f"civicgrid-{service}"
            }
        else:
            assert set(metrics) == {"Resource"}


def test_charts_split_services_select_their_component(split_docs: Rendered) -> None:
    services = by_kind(split_docs, "Service")
    for service in chartkit.SERVICES:
        for name, protocol, port in (
            ("http", "http", HTTP_PORT),
            ("grpc", "grpc", GRPC_PORT),
            ("grpc-headless", "grpc", GRPC_PORT),
        ):
            svc = services[f"civicgrid-{service}-{name}"]
            assert svc["spec"]["selector"]["app.kubernetes.io/component"] == protocol
            assert svc["spec"]["ports"][0]["port"] == port
        headless = services[f"civicgrid-{service}-grpc-headless"]["spec"]
        # DNS answers with the ready pods themselves, for the clients' round-robin.
        assert headless["clusterIP"] == "None"
        assert headless["publishNotReadyAddresses"] is False


def test_charts_split_peer_addresses_name_rendered_services(split_docs: Rendered) -> None:
    """Every gRPC target and URL wired between subcharts names a Service of the release; gRPC
    targets name the headless one through the DNS resolver, so clients balance over its pods."""
    services = by_kind(split_docs, "Service")
    wired = 0
    for service in chartkit.SERVICES:
        for name, value in config(split_docs, service).items():
            if name.endswith("_GRPC_TARGET"):
                assert value.startswith("dns:///"), name
                host, port = value.removeprefix("dns:///").rsplit(":", 1)
                assert host.endswith("-grpc-headless"), name
                assert services[host]["spec"]["clusterIP"] == "None", name
            elif name in {"CIVICGRID_IDENTITY_URL", "CIVICGRID_JWKS_URL"}:
                host, port = value.removeprefix("http://").split("/")[0].rsplit(":", 1)
            else:
                continue
            wired += 1
            assert int(port) == services[host]["spec"]["ports"][0]["port"], name
    # 5 JWKS URLs, tickets' and notifications' identity URL, 3 gRPC targets.
    assert wired == 10


def test_charts_service_monitors_scrape_the_http_component(split_docs: Rendered) -> None:
    monitors = by_kind(split_docs, "ServiceMonitor")
    assert set(monitors) == {f"civicgrid-{s}" for s in chartkit.SERVICES}
    for monitor in monitors.values():
        assert monitor["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == "http"
        assert monitor["spec"]["endpoints"] == [
            {"port": "http", "path": "/metrics", "interval": "30s"}
        ]


@pytest.mark.parametrize("service", chartkit.SERVICES)
def test_charts_pod_monitors_scrape_every_component_without_http(
    split_docs: Rendered, service: str
) -> None:
    monitor = by_kind(split_docs, "PodMonitor")[f"civicgrid-{service}-ops"]
    selector = monitor["spec"]["selector"]
    (expression,) = selector["matchExpressions"]
    assert expression["key"] == "app.kubernetes.io/component"
    assert expression["operator"] == "In"
    assert set(expression["values"]) == set(deployments(split_docs, service)) - {"http"}
    assert monitor["spec"]["podMetricsEndpoints"] == [
        {"port": "ops", "path": "/metrics", "interval": "30s"}
    ]
    for component, deployment in deployments(split_docs, service).items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        selected = selector["matchLabels"].items() <= labels.items() and (
            labels["app.kubernetes.io/component"] in expression["values"]
        )
        # Every pod is scraped exactly once: by the ServiceMonitor (http) or here (ops port).
        assert selected == (component != "http"), component
        assert selected == any(p["name"] == "ops" for p in container["ports"]), component


def test_charts_together_mode_has_no_ops_port_nor_pod_monitor(charts_dir: Path) -> None:
    # One process per service, HTTP included: the HTTP app answers probes and scrapes.
    monitored = [f"{service}.serviceMonitor.enabled=true" for service in chartkit.SERVICES]
    rendered = chartkit.render(
        charts_dir / "civicgrid", [chartkit.example("one-process-per-service")], sets=monitored
    )
    docs = list(chartkit.documents(rendered.stdout))
    assert len(by_kind(docs, "ServiceMonitor")) == len(chartkit.SERVICES)
    assert not by_kind(docs, "PodMonitor")
    for deployment in by_kind(docs, "Deployment").values():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert [p["name"] for p in container["ports"]] == ["http", "grpc"]
