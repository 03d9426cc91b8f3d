"""pytest plugin (entry point `civicgrid`): session fixtures for real PostgreSQL and Kafka.

Servers start lazily, the first time a test asks for `postgres` or `kafka`, so unit-only
runs start nothing. Tests isolate from each other by name (`unique_name`), not by restarts.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from civicgrid_testkit.servers import KafkaServer, PostgresServer


@pytest.fixture(scope="session")
def civicgrid_servers_dir() -> Iterator[Path]:
    """Scratch directory for this session's local servers, removed after they stop."""
    path = Path(tempfile.mkdtemp(prefix="civicgrid-testkit-"))
    # PostgreSQL runs as an unprivileged OS user when we are root; it must reach its files.
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres(civicgrid_servers_dir: Path) -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session: `.admin_dsn`, `.provision(name)`."""
    from civicgrid_testkit.servers import open_postgres

    with open_postgres(civicgrid_servers_dir) as server:
        yield server


@pytest.fixture(scope="session")
def kafka(civicgrid_servers_dir: Path) -> Iterator[KafkaServer]:
    """A real Kafka broker for the session: `.bootstrap_servers`, `.create_topics(names)`."""
    from civicgrid_testkit.servers import open_kafka

    with open_kafka(civicgrid_servers_dir) as server:
        yield server
