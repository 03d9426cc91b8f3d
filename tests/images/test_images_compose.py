"""docker/compose.yaml runs the whole platform: servers, collector, every service with its
migration and topic one-shots, and the entry point, wired the way the code expects."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.images.images_support import ROOT, SERVICES, compose

DEV_PORTS = {  # as `make run` (libs/devstack/src/civicgrid_devstack/services.py)
    "identity": (8101, 50101),
    "grid": (8102, 50102),
    "tickets": (8103, 50103),
    "volunteers": (8104, 50104),
    "notifications": (8105, 50105),
}


def _services() -> dict[str, Any]:
    services = compose()["services"]
    assert isinstance(services, dict)
    return services


def _hardened(container: dict[str, Any]) -> None:
    assert container["read_only"] is True
    assert "/tmp" in container["tmpfs"]  # noqa: S108 (the one writable path)
    assert container["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in container["security_opt"]


def test_images_compose_runs_servers_collector_and_entry_point() -> None:
    services = _services()
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["otel-collector"]["image"].startswith("otel/opentelemetry-collector:")
    kafka = services["kafka"]
    env = kafka["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert "gateway" in services
    assert "127.0.0.1:8080:8080" in services["gateway"]["ports"]


def test_images_compose_kafka_is_the_version_the_test_kit_runs() -> None:
    pom = (ROOT / "tooling" / "kafka" / "pom.xml").read_text()
    version = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom)
    assert version is not None
    assert _services()["kafka"]["image"] == f"apache/kafka:{version.group(1)}"
    assert version.group(1).startswith("4.")


@pytest.mark.parametrize("service", SERVICES)
def test_images_compose_each_service_has_migrate_and_topics_one_shots(service: str) -> None:
    services = _services()
    migrate, topics, serve = (
        services[f"{service}-migrate"],
        services[f"{service}-topics"],
        services[service],
    )
    image = f"civicgrid-{service}:${{CIVICGRID_IMAGE_TAG:-dev}}"
    assert migrate["image"] == topics["image"] == serve["image"] == image
    assert migrate["build"]["args"]["SERVICE"] == service
    assert migrate["build"]["dockerfile"] == "docker/Dockerfile"
    assert migrate["command"][0] == "migrate"
    assert topics["command"] == ["topics"]
    assert serve["command"] == ["serve", "--components", "http,grpc,consumers,relay,timers"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert topics["depends_on"]["kafka"]["condition"] == "service_healthy"
    for one_shot in (f"{service}-migrate", f"{service}-topics"):
        assert serve["depends_on"][one_shot]["condition"] == "service_completed_successfully"
    for container in (migrate, topics, serve):
        _hardened(container)
        assert container["user"] == "10001:10001"
    assert "healthcheck" in serve


@pytest.mark.parametrize("service", SERVICES)
def test_images_compose_service_env_uses_its_runtime_and_owner_roles(service: str) -> None:
    env = _services()[service]["environment"]
    database = f"civicgrid_{service}"
    assert env["CIVICGRID_DATABASE_URL"].startswith(f"postgresql://{database}_app:")
    assert env["CIVICGRID_DATABASE_URL"].endswith(f"@postgres:5432/{database}")
    assert env["CIVICGRID_DATABASE_MIGRATE_URL"].startswith(f"postgresql://{database}_owner:")
    assert env["CIVICGRID_KAFKA_BOOTSTRAP"] == "kafka:9092"
    assert env["CIVICGRID_JWKS_URL"] == "http://identity:8000/.well-known/jwks.json"
    assert env["CIVICGRID_OTLP_ENDPOINT"] == "http://otel-collector:4317"
    # The same env for the one-shots: they read the same settings.
    assert _services()[f"{service}-migrate"]["environment"] == env


@pytest.mark.parametrize("service", SERVICES)
def test_images_compose_publishes_the_make_run_ports(service: str) -> None:
    http, grpc = DEV_PORTS[service]
    assert _services()[service]["ports"] == [f"127.0.0.1:{http}:8000", f"127.0.0.1:{grpc}:50051"]


def test_images_compose_wires_the_cross_service_settings_of_make_run() -> None:
    services = _services()
    identity = services["identity"]["environment"]
    notifications = services["notifications"]["environment"]
    tickets = services["tickets"]["environment"]
    gateway_ip = services["gateway"]["networks"]["civicgrid"]["ipv4_address"]
    assert identity["CIVICGRID_TRUSTED_PROXY_HOSTS"] == f'["{gateway_ip}"]'
    assert '"client_id": "notifications"' in identity["CIVICGRID_SERVICE_CLIENTS"]
    assert notifications["CIVICGRID_SERVICE_CLIENT_ID"] == "notifications"
    assert notifications["CIVICGRID_IDENTITY_GRPC_TARGET"] == "identity:50051"
    assert notifications["CIVICGRID_VOLUNTEERS_GRPC_TARGET"] == "volunteers:50051"
    assert tickets["CIVICGRID_GRID_GRPC_TARGET"] == "grid:50051"
    assert tickets["CIVICGRID_BLOB_DIR"].startswith("/var/lib/civicgrid/")
    assert "tickets-blobs:/var/lib/civicgrid" in services["tickets"]["volumes"]
    migrate = services["identity-migrate"]
    assert migrate["command"] == ["migrate", "--bootstrap-admin"]
    assert "CIVICGRID_BOOTSTRAP_ADMIN_PASSWORD" in migrate["environment"]


def test_images_compose_gateway_routes_every_service_like_the_devstack_gateway() -> None:
    gateway = _services()["gateway"]
    _hardened(gateway)
    conf = (ROOT / "docker" / "gateway" / "nginx.conf").read_text()
    for service in SERVICES:
        block = re.search(rf"location /api/{service}/ \{{(.*?)\}}", conf, re.S)
        assert block is not None, service
        assert f"proxy_pass http://{service}:8000/;" in block.group(1)
        assert f"X-Forwarded-Prefix /api/{service};" in block.group(1)
        assert "X-Forwarded-For $remote_addr;" in block.group(1)
        assert gateway["depends_on"][service]["condition"] == "service_healthy"


def test_images_compose_mounts_files_that_exist() -> None:
    for name, container in _services().items():
        for volume in container.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / "docker" / source).is_file(), f"{name} mounts missing {source}"


def test_images_compose_collector_scrapes_every_service_and_receives_otlp() -> None:
    import yaml

    config = yaml.safe_load((ROOT / "docker" / "otel-collector.yaml").read_text())
    assert config["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"].endswith(":4317")
    [job] = config["receivers"]["prometheus"]["config"]["scrape_configs"]
    assert job["static_configs"][0]["targets"] == [f"{s}:8000" for s in SERVICES]
    assert config["service"]["pipelines"]["traces"]["receivers"] == ["otlp"]
