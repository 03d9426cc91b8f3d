"""Long-lived PostgreSQL and Kafka for `make run`: start, stop, inspect, provision.

Servers named by CIVICGRID_EXTERNAL_* are used as they are; otherwise local processes run from
`<dir>/postgres` and `<dir>/kafka` and outlive the caller. testcontainers is not used here:
its containers are removed when the process that created them exits.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from civicgrid_testkit.asyncbridge import run_sync
from civicgrid_testkit.kafka import LocalKafka, wait_for_kafka
from civicgrid_testkit.names import validate_service_name
from civicgrid_testkit.postgres import LocalPostgres, wait_for_postgres
from civicgrid_testkit.provisioning import ServiceDatabase, provision_service_database
from civicgrid_testkit.selection import (
    EXTERNAL_KAFKA_ENV,
    EXTERNAL_POSTGRES_ENV,
    Backend,
    external_address,
)
from civicgrid_testkit.servers import PostgresServer
from civicgrid_testkit.statefile import read_state, write_state

logger = logging.getLogger(__name__)

STATE_FILE = "state.json"
_EXTERNAL_READY_TIMEOUT = 30.0


class InfraNotRunningError(RuntimeError):
    """An operation needs the servers that `civicgrid-infra up` starts."""


def _environment(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def infra_up(directory: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Start (or reuse) both servers, wait until they answer, write and return `state.json`."""
    environment = _environment(env)
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    # PostgreSQL runs as an unprivileged OS user when we are root; it must reach its files.
    directory.chmod(0o755)

    postgres_dsn = external_address(environment, EXTERNAL_POSTGRES_ENV)
    if postgres_dsn is not None:
        run_sync(wait_for_postgres(postgres_dsn, _EXTERNAL_READY_TIMEOUT))
        server = PostgresServer.from_dsn(postgres_dsn, Backend.EXTERNAL)
        postgres: dict[str, Any] = {
            "admin_dsn": server.admin_dsn,
            "host": server.host,
            "port": server.port,
            "pid": None,
            "backend": "external",
        }
    else:
        instance = LocalPostgres(directory / "postgres").start()
        postgres = {
            "admin_dsn": instance.admin_dsn,
            "host": instance.host,
            "port": instance.port,
            "pid": instance.pid,
            "backend": "local",
        }

    bootstrap = external_address(environment, EXTERNAL_KAFKA_ENV)
    if bootstrap is not None:
        run_sync(wait_for_kafka(bootstrap, _EXTERNAL_READY_TIMEOUT))
        kafka: dict[str, Any] = {"bootstrap": bootstrap, "pid": None, "backend": "external"}
    else:
        broker = LocalKafka(directory / "kafka").start()
        kafka = {"bootstrap": broker.bootstrap_servers, "pid": broker.pid, "backend": "local"}

    state = {"postgres": postgres, "kafka": kafka}
    # The file holds the superuser password: readable by its owner only.
    write_state(directory / STATE_FILE, state, private=True)
    return state


def infra_down(directory: Path) -> None:
    """Stop the local servers (external ones are not ours to stop); their data stays."""
    directory = directory.resolve()
    LocalKafka(directory / "kafka").stop()
    LocalPostgres(directory / "postgres").stop()
    (directory / STATE_FILE).unlink(missing_ok=True)


def infra_status(directory: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Whether each server is up, and where."""
    environment = _environment(env)
    directory = directory.resolve()
    recorded = read_state(directory / STATE_FILE)
    status: dict[str, Any] = {}

    postgres_dsn = external_address(environment, EXTERNAL_POSTGRES_ENV)
    if postgres_dsn is not None:
        status["postgres"] = {"backend": "external", "admin_dsn": postgres_dsn}
    else:
        local_pg = LocalPostgres(directory / "postgres")
        running = local_pg.is_running()
        status["postgres"] = {
            "backend": "local",
            "running": running,
            **(recorded.get("postgres", {}) if running else {}),
        }

    bootstrap = external_address(environment, EXTERNAL_KAFKA_ENV)
    if bootstrap is not None:
        status["kafka"] = {"backend": "external", "bootstrap": bootstrap}
    else:
        running = LocalKafka(directory / "kafka").is_running()
        status["kafka"] = {
            "backend": "local",
            "running": running,
            **(recorded.get("kafka", {}) if running else {}),
        }
    return status


def all_running(status: dict[str, Any]) -> bool:
    return all(server.get("running", True) for server in status.values())


def infra_provision(
    directory: Path, name: str, env: Mapping[str, str] | None = None
) -> ServiceDatabase:
    """Provision database `name` on the server `infra_up` started (or the external one)."""
    validate_service_name(name)
    admin_dsn = external_address(_environment(env), EXTERNAL_POSTGRES_ENV)
    if admin_dsn is None:
        local_pg = LocalPostgres(directory.resolve() / "postgres")
        if not local_pg.is_running():
            raise InfraNotRunningError(
                f"PostgreSQL is not running in {directory}; run `civicgrid-infra up` first"
            )
        admin_dsn = local_pg.instance().admin_dsn
    return run_sync(provision_service_database(admin_dsn, name))
