"""Servers named by CIVICGRID_EXTERNAL_* are used as they are: nothing starts, no Docker."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgrid_testkit import unique_name
from civicgrid_testkit.selection import EXTERNAL_KAFKA_ENV, EXTERNAL_POSTGRES_ENV, Backend
from civicgrid_testkit.servers import KafkaServer, PostgresServer, open_kafka, open_postgres

pytestmark = pytest.mark.integration


def _docker_must_not_be_asked() -> bool:
    raise AssertionError("Docker was asked although an external server is configured")


def test_external_postgres_is_used_and_provisionable(
    postgres: PostgresServer, civicgrid_servers_dir: Path
) -> None:
    workdir = civicgrid_servers_dir / unique_name("external_pg")
    env = {EXTERNAL_POSTGRES_ENV: postgres.admin_dsn}
    with open_postgres(workdir, env=env, docker_answers=_docker_must_not_be_asked) as server:
        assert server.backend is Backend.EXTERNAL
        assert (server.admin_dsn, server.port) == (postgres.admin_dsn, postgres.port)
        database = server.provision(unique_name("via_external"))
        assert database.runtime_dsn.endswith(f":{postgres.port}/{database.name}")
    assert not workdir.exists()  # no local server was started


def test_external_kafka_is_used_as_it_is(kafka: KafkaServer, civicgrid_servers_dir: Path) -> None:
    workdir = civicgrid_servers_dir / unique_name("external_kafka")
    env = {EXTERNAL_KAFKA_ENV: kafka.bootstrap_servers}
    with open_kafka(workdir, env=env, docker_answers=_docker_must_not_be_asked) as server:
        assert server.backend is Backend.EXTERNAL
        assert server.bootstrap_servers == kafka.bootstrap_servers
        server.create_topics([unique_name("via_external")])
    assert not workdir.exists()
