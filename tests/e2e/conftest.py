"""Cross-service suites: every service runs as a real process against the real servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from civicgrid_devstack.services import ServiceProcess
from tests.e2e.e2e_support import ADMIN_PASSWORD, running


@pytest.fixture(scope="session")
def identity_process(
    postgres, kafka, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    with running(
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
    with running(
        "tickets",
        postgres,
        kafka,
        tmp_path_factory.mktemp("logs"),
        jwks_url=f"{identity_process.base_url}/.well-known/jwks.json",
        env={"CIVICGRID_BLOB_DIR": str(tmp_path_factory.mktemp("blobs"))},
        components="http,consumers,relay",
    ) as proc:
        yield proc


@pytest.fixture(scope="session")
def volunteers_process(
    identity_process: ServiceProcess, postgres, kafka, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    """Volunteers as a process of its own: its consumers hear identity's people and tickets'
    reports, its timers make the offers, its relay publishes."""
    with running(
        "volunteers",
        postgres,
        kafka,
        tmp_path_factory.mktemp("logs"),
        jwks_url=f"{identity_process.base_url}/.well-known/jwks.json",
        env={"CIVICGRID_TIMERS_INTERVAL_SECONDS": "0.5"},
        components="http,consumers,relay,timers",
    ) as proc:
        yield proc
