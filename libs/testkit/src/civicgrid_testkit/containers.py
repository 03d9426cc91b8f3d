"""PostgreSQL and Kafka in Docker via testcontainers, for machines that have a Docker engine.

Ports are published on 127.0.0.1 only. testcontainers' Ryuk removes the containers when the
creating process dies, which is right for a test session and wrong for `make run`; that is
why only the pytest fixtures use this module.
"""

from __future__ import annotations

import logging
import os
import secrets
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from civicgrid_testkit.asyncbridge import run_sync
from civicgrid_testkit.kafka import wait_for_kafka
from civicgrid_testkit.kafka_config import (
    KAFKA_VERSION,
    broker_settings,
    new_cluster_id,
    settings_as_docker_env,
)
from civicgrid_testkit.processes import LOOPBACK, find_free_port

logger = logging.getLogger(__name__)

POSTGRES_IMAGE = "postgres:15-alpine"
KAFKA_IMAGE = f"apache/kafka:{KAFKA_VERSION}"
DEFAULT_DOCKER_SOCKET = Path("/var/run/docker.sock")
_CONTAINER_BROKER_PORT = 9092
_CONTAINER_CONTROLLER_PORT = 9093


def docker_endpoint_configured(env: Mapping[str, str], default_socket: Path) -> bool:
    """Whether there is anywhere to ask: DOCKER_HOST is set or the default socket exists."""
    return bool(env.get("DOCKER_HOST", "").strip()) or default_socket.exists()


def docker_engine_available(
    timeout_seconds: int = 2,
    *,
    env: Mapping[str, str] | None = None,
    default_socket: Path = DEFAULT_DOCKER_SOCKET,
) -> bool:
    """True only if a Docker engine answers a ping within `timeout_seconds`."""
    if not docker_endpoint_configured(os.environ if env is None else env, default_socket):
        return False
    # Imported here: most sessions never get this far, and docker pulls in requests.
    import requests
    from docker.client import DockerClient
    from docker.errors import DockerException

    environment = dict(os.environ if env is None else env)
    try:
        client = DockerClient.from_env(timeout=timeout_seconds, environment=environment)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (DockerException, requests.RequestException) as error:
        logger.info("no Docker engine answers (%s); using local servers", error)
        return False


def _publish_on_loopback(container: Any, container_port: int, host_port: int) -> None:
    # testcontainers' own API publishes on every interface; the Docker SDK accepts (ip, port).
    ports = cast(dict[str, Any], container.ports)
    ports.pop(str(container_port), None)
    ports[f"{container_port}/tcp"] = (LOOPBACK, host_port)


@contextmanager
def postgres_container(image: str = POSTGRES_IMAGE) -> Iterator[tuple[str, int, str, str]]:
    """A PostgreSQL container: yields (host, port, superuser, password); removed afterwards."""
    with warnings.catch_warnings():
        # The module moved to testcontainers.community in 4.x; the old path still works.
        warnings.simplefilter("ignore", DeprecationWarning)
        from testcontainers.postgres import PostgresContainer

    password = secrets.token_urlsafe(18)
    host_port = find_free_port()
    container = PostgresContainer(
        image, username="postgres", password=password, dbname="postgres", driver=None
    )
    _publish_on_loopback(container, 5432, host_port)
    container.start()
    try:
        yield LOOPBACK, host_port, "postgres", password
    finally:
        container.stop()


def kafka_container_environment(host_port: int) -> dict[str, str]:
    """The apache/kafka image's environment: our broker settings, reachable at `host_port`."""
    settings = broker_settings(
        broker_port=_CONTAINER_BROKER_PORT,
        controller_port=_CONTAINER_CONTROLLER_PORT,
        log_dir="/var/lib/kafka/data",
        listen_host="0.0.0.0",  # noqa: S104 - inside the container; published on 127.0.0.1 only
        advertised_port=host_port,
    )
    return {
        **settings_as_docker_env(settings),
        "CLUSTER_ID": new_cluster_id(),
        "KAFKA_HEAP_OPTS": "-Xms128m -Xmx512m",
    }


@contextmanager
def kafka_container(image: str = KAFKA_IMAGE, timeout: float = 120.0) -> Iterator[str]:
    """An Apache Kafka (KRaft) container with our broker settings: yields its bootstrap address.

    The official apache/kafka image is used rather than testcontainers' KafkaContainer, whose
    start script is written for Confluent images (Kafka 3.x); this one runs the same Kafka
    version as the local broker.
    """
    from testcontainers.core.container import DockerContainer

    host_port = find_free_port()
    container = DockerContainer(image)
    for key, value in kafka_container_environment(host_port).items():
        container.with_env(key, value)
    _publish_on_loopback(container, _CONTAINER_BROKER_PORT, host_port)
    container.start()
    try:
        bootstrap = f"{LOOPBACK}:{host_port}"
        run_sync(wait_for_kafka(bootstrap, timeout))
        yield bootstrap
    finally:
        container.stop()
