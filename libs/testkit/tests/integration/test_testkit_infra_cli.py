"""`civicgrid-infra` as `make run` uses it: servers outlive the command and keep their address."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from civicgrid_testkit import unique_name
from civicgrid_testkit.infra import infra_up
from civicgrid_testkit.kafka import wait_for_kafka
from civicgrid_testkit.processes import process_is_alive
from civicgrid_testkit.selection import EXTERNAL_KAFKA_ENV, EXTERNAL_POSTGRES_ENV
from civicgrid_testkit.servers import KafkaServer, PostgresServer

pytestmark = pytest.mark.integration


def _infra(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in (EXTERNAL_POSTGRES_ENV, EXTERNAL_KAFKA_ENV)
    }
    return subprocess.run(
        [sys.executable, "-m", "civicgrid_testkit", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


async def _runtime_can_query(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval("SELECT 1"))
    finally:
        await connection.close()


def test_up_starts_servers_that_outlive_the_command_and_down_stops_them(
    civicgrid_servers_dir: Path,
) -> None:
    directory = civicgrid_servers_dir / unique_name("infra")
    up = _infra("up", "--dir", str(directory))
    try:
        assert up.returncode == 0, up.stderr
        state = json.loads(up.stdout)
        assert state == json.loads((directory / "state.json").read_text())
        assert (directory / "state.json").stat().st_mode & 0o777 == 0o600
        pg_pid, kafka_pid = state["postgres"]["pid"], state["kafka"]["pid"]
        assert process_is_alive(pg_pid) and process_is_alive(kafka_pid)  # the CLI has exited
        asyncio.run(wait_for_kafka(state["kafka"]["bootstrap"], 10))

        provisioned = _infra("provision", "tickets", "--dir", str(directory))
        assert provisioned.returncode == 0, provisioned.stderr
        database = json.loads(provisioned.stdout)
        assert asyncio.run(_runtime_can_query(database["runtime_dsn"])) == 1

        again = _infra("up", "--dir", str(directory))  # a second `make run`
        assert json.loads(again.stdout) == state
        assert _infra("status", "--dir", str(directory)).returncode == 0
    finally:
        down = _infra("down", "--dir", str(directory))
    assert down.returncode == 0, down.stderr
    assert not process_is_alive(pg_pid) and not process_is_alive(kafka_pid)
    assert _infra("status", "--dir", str(directory)).returncode == 3

    restarted = _infra("up", "--dir", str(directory))
    try:
        restarted_state = json.loads(restarted.stdout)
        assert restarted_state["postgres"]["admin_dsn"] == state["postgres"]["admin_dsn"]
        assert restarted_state["kafka"]["bootstrap"] == state["kafka"]["bootstrap"]
        reprovisioned = _infra("provision", "tickets", "--dir", str(directory))
        assert json.loads(reprovisioned.stdout) == database  # same DSNs after a restart
    finally:
        assert _infra("down", "--dir", str(directory)).returncode == 0


def test_up_with_external_servers_starts_nothing_and_records_their_addresses(
    postgres: PostgresServer, kafka: KafkaServer, civicgrid_servers_dir: Path
) -> None:
    directory = civicgrid_servers_dir / unique_name("infra_external")
    env = {EXTERNAL_POSTGRES_ENV: postgres.admin_dsn, EXTERNAL_KAFKA_ENV: kafka.bootstrap_servers}

    state = infra_up(directory, env)

    assert state["postgres"]["admin_dsn"] == postgres.admin_dsn
    assert state["postgres"]["port"] == postgres.port
    assert state["kafka"]["bootstrap"] == kafka.bootstrap_servers
    assert state["postgres"]["pid"] is None and state["kafka"]["pid"] is None
    assert sorted(path.name for path in directory.iterdir()) == ["state.json"]
