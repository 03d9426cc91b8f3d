"""Cross-service suites: every service runs as a real process against the real servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from civicgrid_devstack.services import ServiceProcess, ServiceSpec, service_env
from civicgrid_testkit import unique_name
from civicgrid_testkit.processes import find_free_port

ADMIN_PASSWORD = "platform-admin-e2e-1"


@pytest.fixture(scope="session")
def identity_process(
    postgres, kafka, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    spec = ServiceSpec("identity", find_free_port(), find_free_port())
    db = postgres.provision(unique_name("e2e_identity"))
    env = service_env(
        spec,
        runtime_dsn=db.runtime_dsn,
        owner_dsn=db.owner_dsn,
        kafka_bootstrap=kafka.bootstrap_servers,
        jwks_url=f"http://127.0.0.1:{spec.http_port}/.well-known/jwks.json",
    )
    env["CIVICGRID_BOOTSTRAP_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    proc = ServiceProcess(spec, env, Path(tmp_path_factory.mktemp("logs")) / "identity.log")
    proc.migrate("--bootstrap-admin")
    proc.start()
    try:
        proc.wait_ready()
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def tickets_process(
    identity_process: ServiceProcess, postgres, kafka, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    """Tickets as a process of its own, trusting identity's keys and learning districts from
    identity's events; no grid registry runs (its reports wait at city level)."""
    spec = ServiceSpec("tickets", find_free_port(), find_free_port())
    db = postgres.provision(unique_name("e2e_tickets"))
    env = service_env(
        spec,
        runtime_dsn=db.runtime_dsn,
        owner_dsn=db.owner_dsn,
        kafka_bootstrap=kafka.bootstrap_servers,
        jwks_url=f"{identity_process.base_url}/.well-known/jwks.json",
    )
    env["CIVICGRID_BLOB_DIR"] = str(tmp_path_factory.mktemp("blobs"))
    proc = ServiceProcess(
        spec, env, Path(tmp_path_factory.mktemp("logs")) / "tickets.log", "http,consumers,relay"
    )
    proc.migrate()
    proc.start()
    try:
        proc.wait_ready()
        yield proc
    finally:
        proc.stop()
