"""Which PostgreSQL/Kafka a test session or `make run` gets, in order of preference.

1. Servers named by settings (CIVICGRID_EXTERNAL_*): CI services, a shared dev cluster.
2. testcontainers, when a Docker engine answers (tests only: containers die with their creator).
3. Local processes from the machine's PostgreSQL binaries and Maven's Kafka jars.
"""

from __future__ import annotations

import enum
import functools
import os
from collections.abc import Callable, Mapping

from civicgrid_testkit.containers import docker_engine_available

EXTERNAL_POSTGRES_ENV = "CIVICGRID_EXTERNAL_POSTGRES_DSN"
EXTERNAL_KAFKA_ENV = "CIVICGRID_EXTERNAL_KAFKA_BOOTSTRAP"
# "never" keeps tests on local processes even where Docker runs (e.g. to debug the broker).
USE_DOCKER_ENV = "CIVICGRID_TESTKIT_DOCKER"
_DOCKER_DISABLED_VALUES = frozenset({"0", "false", "no", "off", "never"})


class Backend(enum.StrEnum):
    EXTERNAL = "external"
    CONTAINER = "testcontainers"
    LOCAL = "local"


def external_address(env: Mapping[str, str], variable: str) -> str | None:
    """The external server named by `variable`, or None when it is unset or blank."""
    value = env.get(variable, "").strip()
    return value or None


def docker_allowed(env: Mapping[str, str]) -> bool:
    return env.get(USE_DOCKER_ENV, "auto").strip().lower() not in _DOCKER_DISABLED_VALUES


def choose_backend(
    external: str | None, docker_answers: Callable[[], bool], *, allow_containers: bool = True
) -> Backend:
    """The backend for one server; Docker is asked only when nothing external is configured."""
    if external:
        return Backend.EXTERNAL
    if allow_containers and docker_answers():
        return Backend.CONTAINER
    return Backend.LOCAL


@functools.cache
def docker_answers_once() -> bool:
    """Ask the Docker engine once per process: both fixtures share the answer."""
    return docker_allowed(os.environ) and docker_engine_available()
