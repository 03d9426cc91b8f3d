"""Cross-service suites: every service runs as a real process against the real servers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from civicgrid_devstack.services import ServiceProcess, ServiceSpec, service_env
from civicgrid_testkit import unique_name
from civicgrid_testkit.processes import find_free_port

ADMIN_PASSWORD = "platform-admin-e2e-1"


@contextmanager
def _running(
    name: str,
    postgres: object,
    kafka: object,
    logs: Path,
    *,
    jwks_url: str | None = None,
    env: dict[str, str] | None = None,
    components: str = "http,grpc,consumers,relay,timers",
    migrate: tuple[str, ...] = (),
) -> Iterator[ServiceProcess]:
    """A service process on free ports with a database of its own, migrated and ready; the JWKS
    defaults to its own (identity)."""
    spec = ServiceSpec(name, find_free_port(), find_free_port())
    db = postgres.provision(unique_name(f"e2e_{name}"))  # type: ignore[attr-defined]
    full_env = service_env(
        spec,
        runtime_dsn=db.runtime_dsn,
        owner_dsn=db.owner_dsn,
        kafka_bootstrap=kafka.bootstrap_servers,  # type: ignore[attr-defined]
        jwks_url=jwks_url or f"http://127.0.0.1:{spec.http_port}/.well-known/jwks.json",
    )
    full_env.update(env or {})
    proc = ServiceProcess(spec, full_env, logs / f"{name}.log", components)
    proc.migrate(*migrate)
    proc.start()
    try:
        proc.wait_ready()
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def identity_process(
    postgres, kafka, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    with _running(
        "identity",
        postgres,
        kafka,
        tmp_path_factory.mktemp("logs"),
        env={"CIVICGRID_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD},
        migrate=("--bootstrap-admin",),
    ) as proc:
        yield proc


@pytest.fixture(scope="session")
def tickets_process(
    identity_process: ServiceProcess, postgres, kafka, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    """Tickets as a process of its own, trusting identity's keys and learning districts from
    identity's events; no grid registry runs (its reports wait at city level)."""
    with _running(
        "tickets",
        postgres,
        kafka,
        tmp_path_factory.mktemp("logs"),
        jwks_url=f"{identity_process.base_url}/.well-known/jwks.json",
        env={"CIVICGRID_BLOB_DIR": str(tmp_path_factory.mktemp("blobs"))},
        components="http,consumers,relay",
    ) as proc:
        yield proc
