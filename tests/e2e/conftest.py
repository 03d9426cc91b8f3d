"""Cross-service suites: every service runs as a real process against the real servers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from civicgrid_devstack.services import ServiceProcess
from civicgrid_testkit.processes import find_free_port
from tests.e2e.e2e_support import (
    ADMIN_PASSWORD,
    NOTIFICATIONS_CLIENT,
    NOTIFICATIONS_SECRET,
    PROVIDER_TOKEN,
    SERVICE_CLIENTS,
    PhoneProvider,
    running,
)


@pytest.fixture(scope="session")
def identity_process(
    postgres, kafka, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    """Identity with notifications' service client (which acts in one district at a time)."""
    with running(
        "identity",
        postgres,
        kafka,
        tmp_path_factory.mktemp("logs"),
        env={
            "CIVICGRID_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "CIVICGRID_SERVICE_CLIENTS": json.dumps(SERVICE_CLIENTS),
        },
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


@pytest.fixture
def phone_provider() -> Iterator[PhoneProvider]:
    with PhoneProvider() as provider:
        yield provider


@pytest.fixture
def notifications_process(
    identity_process: ServiceProcess,
    phone_provider: PhoneProvider,
    postgres,
    kafka,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ServiceProcess]:
    """Notifications as a process of its own, one per test (a test may kill it): it acts in
    districts through its service client at identity and sends SMS and voice to the phone
    provider. No volunteers service and no mail server listen where it looks for them."""
    with running(
        "notifications",
        postgres,
        kafka,
        tmp_path_factory.mktemp("logs"),
        jwks_url=f"{identity_process.base_url}/.well-known/jwks.json",
        env={
            "CIVICGRID_SERVICE_CLIENT_ID": NOTIFICATIONS_CLIENT,
            "CIVICGRID_SERVICE_CLIENT_SECRET": NOTIFICATIONS_SECRET,
            "CIVICGRID_IDENTITY_GRPC_TARGET": identity_process.grpc_target,
            "CIVICGRID_VOLUNTEERS_GRPC_TARGET": f"127.0.0.1:{find_free_port()}",
            "CIVICGRID_SMTP_PORT": str(find_free_port()),
            "CIVICGRID_SMS_PROVIDERS": json.dumps([phone_provider.url()]),
            "CIVICGRID_VOICE_PROVIDERS": json.dumps([phone_provider.url()]),
            "CIVICGRID_PROVIDER_TOKEN": PROVIDER_TOKEN,
            "CIVICGRID_TIMERS_INTERVAL_SECONDS": "0.5",
            "CIVICGRID_DISPATCH_INTERVAL_SECONDS": "0.5",
        },
        components="http,grpc,consumers,relay,timers",
        public_url_setting="CIVICGRID_PUBLIC_URL",
    ) as proc:
        yield proc
