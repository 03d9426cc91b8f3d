"""The PostgreSQL and Kafka that tests receive, whichever backend provides them.

`open_postgres` / `open_kafka` pick the backend (see selection.py), start what needs starting
and stop it again on exit; what they yield looks the same for every backend.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from civicgrid_testkit.asyncbridge import run_sync
from civicgrid_testkit.containers import kafka_container, postgres_container
from civicgrid_testkit.kafka import LocalKafka, create_topics, wait_for_kafka
from civicgrid_testkit.postgres import LocalPostgres, PostgresInstance, wait_for_postgres
from civicgrid_testkit.provisioning import ServiceDatabase, provision_service_database
from civicgrid_testkit.selection import (
    EXTERNAL_KAFKA_ENV,
    EXTERNAL_POSTGRES_ENV,
    Backend,
    choose_backend,
    docker_answers_once,
    external_address,
)

logger = logging.getLogger(__name__)

_EXTERNAL_READY_TIMEOUT = 30.0
_DEFAULT_POSTGRES_PORT = 5432


@dataclass(frozen=True)
class PostgresServer:
    """A PostgreSQL server reachable with superuser (or CREATEROLE+CREATEDB) rights."""

    admin_dsn: str
    host: str
    port: int
    backend: Backend

    @classmethod
    def from_dsn(cls, admin_dsn: str, backend: Backend) -> PostgresServer:
        parts = urlsplit(admin_dsn)
        return cls(
            admin_dsn=admin_dsn,
            host=parts.hostname or "127.0.0.1",
            port=parts.port or _DEFAULT_POSTGRES_PORT,
            backend=backend,
        )

    def provision(self, name: str) -> ServiceDatabase:
        """Create (idempotently) database `name` with its owner and runtime roles."""
        return run_sync(self.aprovision(name))

    async def aprovision(self, name: str) -> ServiceDatabase:
        return await provision_service_database(self.admin_dsn, name)


@dataclass(frozen=True)
class KafkaServer:
    """A Kafka cluster reachable at `bootstrap_servers`."""

    bootstrap_servers: str
    backend: Backend

    def create_topics(self, names: Iterable[str], partitions: int = 3) -> None:
        """Create the topics that do not exist yet (existing ones are fine)."""
        run_sync(self.acreate_topics(list(names), partitions))

    async def acreate_topics(self, names: Iterable[str], partitions: int = 3) -> None:
        await create_topics(self.bootstrap_servers, names, partitions)


@contextmanager
def open_postgres(
    workdir: Path,
    *,
    env: Mapping[str, str] | None = None,
    docker_answers: Callable[[], bool] = docker_answers_once,
) -> Iterator[PostgresServer]:
    """A ready PostgreSQL for the duration of the block; local files go under `workdir`."""
    environment = os.environ if env is None else env
    external = external_address(environment, EXTERNAL_POSTGRES_ENV)
    backend = choose_backend(external, docker_answers)
    logger.info("PostgreSQL for this session: %s", backend)
    if external is not None:
        run_sync(wait_for_postgres(external, _EXTERNAL_READY_TIMEOUT))
        yield PostgresServer.from_dsn(external, Backend.EXTERNAL)
    elif backend is Backend.CONTAINER:
        with postgres_container() as (host, port, user, password):
            instance = PostgresInstance(host, port, user, password, pid=None)
            run_sync(wait_for_postgres(instance.admin_dsn, _EXTERNAL_READY_TIMEOUT))
            yield PostgresServer.from_dsn(instance.admin_dsn, Backend.CONTAINER)
    else:
        local = LocalPostgres(workdir / "postgres")
        try:
            yield PostgresServer.from_dsn(local.start().admin_dsn, Backend.LOCAL)
        finally:
            local.stop()


@contextmanager
def open_kafka(
    workdir: Path,
    *,
    env: Mapping[str, str] | None = None,
    docker_answers: Callable[[], bool] = docker_answers_once,
) -> Iterator[KafkaServer]:
    """A ready Kafka for the duration of the block; local files go under `workdir`."""
    environment = os.environ if env is None else env
    external = external_address(environment, EXTERNAL_KAFKA_ENV)
    backend = choose_backend(external, docker_answers)
    logger.info("Kafka for this session: %s", backend)
    if external is not None:
        run_sync(wait_for_kafka(external, _EXTERNAL_READY_TIMEOUT))
        yield KafkaServer(external, Backend.EXTERNAL)
    elif backend is Backend.CONTAINER:
        with kafka_container() as bootstrap:
            yield KafkaServer(bootstrap, Backend.CONTAINER)
    else:
        local = LocalKafka(workdir / "kafka")
        try:
            yield KafkaServer(local.start().bootstrap_servers, Backend.LOCAL)
        finally:
            local.stop()
